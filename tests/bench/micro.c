// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace micro-benchmark of the plain-C cores, for valgrind's callgrind:
 * each case is one noinline function that calls the core N times over a
 * precomputed array of inputs, so that
 *
 *   valgrind --tool=callgrind --toggle-collect=case_NAME micro NAME N
 *
 * counts the instructions of exactly those N calls (plus a few of loop per
 * call). Instruction counts do not depend on the machine's load, unlike
 * times. Without valgrind the program prints ns per call as a rough guide.
 *
 * Usage: micro CASE [N]      CASE: map66_neutral map66_csum psid_lookup
 *                            table_1M (micro list names them)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "map66_core.h"
#include "psid_core.h"
#include "softwire_table_core.h"

#define NIN 1024		/* distinct inputs, cycled */

static uint8_t addrs[NIN][16];
static uint16_t ports[NIN];
static volatile unsigned long sink;

static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void parse6(const char *s, uint8_t a[16])
{
	unsigned int w[8] = { 0 };

	/* The fixed prefixes below are written as 8 hex words. */
	if (sscanf(s, "%x:%x:%x:%x:%x:%x:%x:%x", &w[0], &w[1], &w[2], &w[3],
		   &w[4], &w[5], &w[6], &w[7]) != 8)
		abort();
	for (int i = 0; i < 8; i++) {
		a[2 * i] = w[i] >> 8;
		a[2 * i + 1] = w[i] & 0xff;
	}
}

/* Inside addresses of fd01:203:405::/48 (host bits random). */
static void fill_addrs(unsigned int plen)
{
	uint8_t pfx[16];

	parse6("fd01:0203:0405:0001:0000:0000:0000:0000", pfx);
	for (int i = 0; i < NIN; i++) {
		for (int b = 0; b < 16; b++)
			addrs[i][b] = rnd();
		for (unsigned int b = 0; b < plen; b++) {
			uint8_t m = 0x80 >> (b % 8);

			addrs[i][b / 8] = (addrs[i][b / 8] & ~m) | (pfx[b / 8] & m);
		}
	}
}

static struct map66_prefix map_to;

static void map_setup(unsigned int len, const char *to)
{
	uint8_t a[16];

	parse6(to, a);
	if (map66_prefix_check(a, len) != MAP66_PREFIX_OK)
		abort();
	map66_prefix_init(&map_to, a, len, false);
	fill_addrs(len);
}

/* One rewrite per call on a copy of the address, as the target does. */
__attribute__((noinline)) void case_map66(unsigned long n)
{
	unsigned long acc = 0;

	for (unsigned long i = 0; i < n; i++) {
		uint8_t a[16];

		memcpy(a, addrs[i % NIN], 16);
		acc += map66_rewrite(&map_to, a) + a[7];
	}
	sink = acc;
}

static struct psid_set pset = { .offset = 6, .len = 6, .psid = 5 };

/* The decapsulation check: is the inner source port in the port set? */
__attribute__((noinline)) void case_psid(unsigned long n)
{
	unsigned long acc = 0;

	for (unsigned long i = 0; i < n; i++)
		acc += psid_port_in_set(&pset, ports[i % NIN]) +
		       psid_of_port(ports[i % NIN], 6, 6);
	sink = acc;
}

/*
 * The AFTR's lookup in a table of 1M softwires (16384 addresses x 64
 * PSIDs, length 6, offset 6, as tests/lw4o6_scale.sh loads it), at random
 * softwires: addresses in the table, PSIDs from the ports.
 */
static struct swtab *table;
static uint32_t taddr[NIN];

static void setup_table(void)
{
	uint32_t n = 16384 * 64, size = swtab_clamp_size(n / 2 * 3);
	uint64_t b4[SWTAB_SW_WORDS - 1] = { 0 };

	table = calloc(1, swtab_bytes(size, SWTAB_SW_WORDS));
	if (!table)
		abort();
	swtab_init(table, size, 0x5eed);
	for (uint32_t i = 0; i < 16384; i++)
		for (uint16_t p = 0; p < 64; p++) {
			b4[0] = i << 6 | p;
			swtab_put(table, swtab_key_extra(swtab_key(0x64400000 | i, p), 0, 6, 6),
				  b4, SWTAB_SW_WORDS);
		}
	for (int i = 0; i < NIN; i++) {
		taddr[i] = 0x64400000 | (rnd() % 16384);
		ports[i] = 1024 + rnd() % 64512;
	}
}

__attribute__((noinline)) void case_table(unsigned long n)
{
	unsigned long acc = 0;
	uint64_t key;

	for (unsigned long i = 0; i < n; i++) {
		uint16_t psid = psid_of_port(ports[i % NIN], 6, 6);

		acc += swtab_sw_find(table, taddr[i % NIN], psid, &key) != NULL;
	}
	sink = acc;
}

static void setup_map66_neutral(void)
{
	map_setup(48, "2001:0db8:0001:0000:0000:0000:0000:0000");
}

static void setup_map66_csum(void)
{
	map_setup(120, "2001:0db8:0001:0001:0000:0000:0000:0000");
}

static void setup_psid(void)
{
	for (int i = 0; i < NIN; i++)
		ports[i] = rnd();
}

static const struct bench_case {
	const char *name;
	const char *what;
	void (*setup)(void);
	void (*run)(unsigned long n);
} cases[] = {
	{ "map66_neutral", "map66_rewrite, /48 to /48 (checksum-neutral)",
	  setup_map66_neutral, case_map66 },
	{ "map66_csum", "map66_rewrite, /120 (host kept, caller updates the L4 checksum)",
	  setup_map66_csum, case_map66 },
	{ "psid_lookup", "psid_port_in_set + psid_of_port (offset 6, length 6)",
	  setup_psid, case_psid },
	{ "table_1M", "softwire table lookup (psid_of_port + swtab_sw_find), 1M softwires, random",
	  setup_table, case_table },
};

int main(int argc, char **argv)
{
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000000;
	struct timespec t0, t1;

	if (argc < 2 || !strcmp(argv[1], "list")) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			printf("%s\t%s\n", cases[i].name, cases[i].what);
		return argc < 2;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		cases[i].setup();
		clock_gettime(CLOCK_MONOTONIC, &t0);
		cases[i].run(n);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("%s %lu calls %.2f ns/call\n", cases[i].name, n,
		       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n);
		return 0;
	}
	fprintf(stderr, "micro: unknown case %s\n", argv[1]);
	return 2;
}
