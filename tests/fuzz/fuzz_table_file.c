// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for softwirectl's table file parser
 * (tools/softwirectl/file.c): any bytes as a table file, as a local user
 * could hand to softwirectl load or check (in a user namespace of their
 * own, the kernel then gets what the parser let through). A bad line must
 * end in fail() with a message, never in a crash, an out-of-bounds access
 * or undefined behaviour; a file it takes must come out of print_xlat and
 * be taken again (the translator's lines: what list prints, load reads).
 *
 * fail() here returns to the harness by longjmp instead of exiting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "softwirectl.h"

const char *cleanup_table;
static jmp_buf back;

void fail(const char *fmt, ...)
{
	read_fail_first();
	longjmp(back, 1);
}

int table_del(const char *table, bool may_fail)
{
	return 0;
}

static struct bt_file f, g;
/* Streams outside the frame that fail() jumps out of, closed after it. */
static FILE *in;
static char *text;

static void done(void)
{
	if (in)
		fclose(in);
	in = NULL;
	free(text);
	text = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *out, *saved;
	size_t len = 0;

	bt_file_free(&f);
	bt_file_free(&g);
	if (setjmp(back)) {
		done();
		return 0;	/* refused, with a message */
	}
	in = fmemopen((void *)data, size ? size : 1, "r");
	if (!in || !size) {
		done();
		return 0;
	}
	read_stream(in, "fuzz", &f, false);
	done();
	/* What was taken prints as lines that are taken again, alike. */
	out = open_memstream(&text, &len);
	if (!out)
		return 0;
	fflush(stdout);
	saved = stdout;
	stdout = out;
	print_xlat(&f.xlat, "");
	stdout = saved;
	fclose(out);
	if (setjmp(back))
		abort();	/* printed lines that do not read back */
	if (len) {
		in = fmemopen(text, len, "r");
		if (in) {
			read_stream(in, "fuzz-printed", &g, false);
			if (g.xlat.n_eam != f.xlat.n_eam ||
			    g.xlat.has_dmr != f.xlat.has_dmr)
				abort();
		}
	}
	done();
	return 0;
}
