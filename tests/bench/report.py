#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's raw "BENCH ..." lines into results.md (markdown
tables, each target met or missed) and chart.dat (for gnuplot).

  report.py RAW OUTDIR MACHINE

Rates: best and median of the rounds; the ratio to the matching plain
forwarding is best over best, and the median of the per-round ratios (each
case against its plain case of the same round); added ns/packet is
1e9/rate - 1e9/plain (best rates).
"""
import statistics
import sys

PLAIN = {
    "v6_snpt": "v6_plain", "v6_map66": "v6_plain", "v6_map66_120": "v6_plain",
    "v4_ip6tnl_encap": "v4_plain", "b4_ip6tnl_snat": "v4_plain",
    "b4_lw4o6": "v4_plain", "b4_lw4o6_nodecap": "v4_plain",
    "b4_lw4o6_label": "v4_plain", "b4_lw4o6_nft": "v4_plain",
    "aftr_encap_1": "aftr_plain", "aftr_encap_10k": "aftr_plain",
    "aftr_encap_1M": "aftr_plain",
    "decap_ip6tnl": "decap_plain", "aftr_decap_1": "decap_plain",
    "aftr_decap_10k": "decap_plain", "aftr_decap_1M": "decap_plain",
    "nat_snatpsid": "nat_snat", "nat_snat_90": "nat_snat",
    "nat_snatpsid_90": "nat_snatpsid", "nat_snat_99": "nat_snat",
    "nat_snatpsid_99": "nat_snatpsid",
    # group xlat: each against forwarding of its input family's flow
    "xlat_b4_lw4o6": "xlat_v4_plain", "mapt_br_4to6": "xlat_v4_plain",
    "mapt_ce": "xlat_v4_plain", "mapt_clat": "xlat_v4_plain",
    "jool_siit_4to6": "xlat_v4_plain",
    "mapt_br_6to4": "xlat_v6_plain", "mapt_siit_6to4": "xlat_v6_plain",
    "jool_siit_6to4": "xlat_v6_plain", "mapt_siit_6to4_eam100k": "xlat_v6_plain",
}
# Our translator against Jool's SIIT on the same traffic (the SIIT pairs)
# and on the other translation of the same direction (the MAP-T BR: a MAP
# rule instead of an EAM; Jool 4.1 has no MAP-T).
VS_JOOL = [("mapt_clat", "jool_siit_4to6"), ("mapt_siit_6to4", "jool_siit_6to4"),
           ("mapt_br_4to6", "jool_siit_4to6"), ("mapt_br_6to4", "jool_siit_6to4")]
WHAT = {
    "v6_plain": "IPv6 forwarding (pktgen UDP, 100 B)",
    "v6_snpt": "kernel SNPT (ip6t_NPT), /48",
    "v6_map66": "MAP66 /48, checksum-neutral",
    "v6_map66_120": "MAP66 /120, L4 checksum update",
    "v4_plain": "IPv4 forwarding (pktgen UDP, 100 B)",
    "v4_ip6tnl_encap": "Linux ip4ip6 device, encap",
    "b4_ip6tnl_snat": "B4: ip4ip6 device + SNAT (the seed's)",
    "b4_lw4o6": "B4: SNAT + LW4O6 (README rules)",
    "b4_lw4o6_nodecap": "B4: SNAT + LW4O6, no ip6tables decap rule",
    "b4_lw4o6_label": "B4: SNAT + LW4O6, --flowlabel (no inner flow hash)",
    "b4_lw4o6_nft": "B4: SNAT + LW4O6 with iptables-nft",
    "aftr_plain": "IPv4 forwarding, random sources/destinations",
    "aftr_encap_1": "AFTR encap, 1 softwire",
    "aftr_encap_10k": "AFTR encap, 10 000 softwires, random dst",
    "aftr_encap_1M": "AFTR encap, 1M softwires, random dst",
    "decap_plain": "4in6 frames forwarded as IPv6 (sendraw)",
    "decap_ip6tnl": "Linux ip4ip6 device, decap",
    "aftr_decap_1": "AFTR decap, 1 softwire",
    "aftr_decap_10k": "AFTR decap, 10 000 softwires, random src",
    "aftr_decap_1M": "AFTR decap, 1M softwires, random src",
    "nat_snat": "new UDP connections/s, SNAT into 4096-8191",
    "nat_snatpsid": "new UDP connections/s, SNATPSID into PSID 1/4 (the same ports)",
    "nat_snat_90": "new connections/s, SNAT, the range 90% used for the destination",
    "nat_snatpsid_90": "new connections/s, SNATPSID, the set 90% used for the destination",
    "nat_snat_99": "new connections/s, SNAT, the range 99% used for the destination",
    "nat_snatpsid_99": "new connections/s, SNATPSID, the set 99% used for the destination",
    "xlat_v4_plain": "IPv4 forwarding (pktgen UDP with checksum, 100 B)",
    "xlat_v6_plain": "IPv6 forwarding (pktgen UDP with checksum, 100 B)",
    "xlat_b4_lw4o6": "B4: SNAT + LW4O6 (UDP with checksum)",
    "mapt_br_4to6": "MAP-T BR, IPv4 -> IPv6 (to CE 11b, MAP rule)",
    "mapt_br_6to4": "MAP-T BR, IPv6 -> IPv4 (from CE 11b, MAP rule + DMR)",
    "mapt_ce": "MAP-T CE: SNATPSID + MAPT, IPv4 -> IPv6",
    "mapt_clat": "MAPT CLAT/SIIT, IPv4 -> IPv6 (EAM + DMR)",
    "mapt_siit_6to4": "MAPT SIIT, IPv6 -> IPv4 (EAM + DMR)",
    "mapt_siit_6to4_eam100k": "MAPT SIIT, IPv6 -> IPv4, 100000 EAMs (the last one matches)",
    "jool_siit_4to6": "Jool SIIT, IPv4 -> IPv6 (EAM + pool6)",
    "jool_siit_6to4": "Jool SIIT, IPv6 -> IPv4 (EAM + pool6)",
    "tcp_b4": "TCP bulk through the LW4O6 B4",
    "tcp_mapt_ce": "TCP bulk through the MAP-T CE (SNATPSID + MAPT) and BR",
    "tcp_ip6tnl": "TCP bulk through the ip4ip6 device + SNAT",
}


def main():
    raw, outdir, machine = sys.argv[1], sys.argv[2], sys.argv[3]
    rates, tcp, ctl, micro, info, order = {}, {}, {}, [], {}, []
    gso = {}
    for line in open(raw):
        f = line.split()
        if len(f) < 3 or f[0] != "BENCH":
            continue
        try:
            if f[1] == "rate":
                rates.setdefault(f[2], {})[int(f[3])] = float(f[4])
                if f[2] not in order:
                    order.append(f[2])
            elif f[1] == "tcp":
                tcp.setdefault(f[2], {})[int(f[3])] = float(f[4])
            elif f[1] == "gso":
                gso.setdefault(f[2], {})[int(f[3])] = [int(x) for x in f[4:8]]
            elif f[1] == "ctl":
                ctl[f[2]] = f[3]
            elif f[1] == "micro":
                micro.append((f[2], f[3], f[4], " ".join(f[5:])))
            elif f[1] == "info":
                info[f[2]] = " ".join(f[3:])
        except (IndexError, ValueError):
            pass                # a line cut by a kernel message

    def best(c):
        return max(rates[c].values()) if c in rates and rates[c] else 0.0

    def ratio(c):
        p = PLAIN.get(c)
        if not p or p not in rates or not best(p):
            return None, None
        per_round = [rates[c][r] / rates[p][r] for r in rates[c] if rates[p].get(r)]
        return best(c) / best(p), statistics.median(per_round) if per_round else None

    def added_ns(c):
        p = PLAIN.get(c)
        if not p or not best(c) or not best(p):
            return None
        return 1e9 / best(c) - 1e9 / best(p)

    targets = []            # (what, value text, target text, met)

    def target(name, value, goal, met, valfmt="%.3f"):
        if value is None:
            targets.append((name, "not measured", goal, None))
        else:
            targets.append((name, valfmt % value, goal, met))

    r = {c: ratio(c)[0] for c in rates}
    for c in ("v6_map66", "v6_map66_120"):
        if c in r and r[c] is not None:
            target(WHAT[c] + " / plain", r[c], ">= 0.97", r[c] >= 0.97)
            if r.get("v6_snpt") is not None:
                target(WHAT[c] + " vs SNPT (%.3f)" % r["v6_snpt"], r[c],
                       ">= SNPT", r[c] >= r["v6_snpt"])
    for c in ("b4_lw4o6", "b4_lw4o6_nodecap", "b4_lw4o6_nft"):
        if r.get(c) is not None:
            target(WHAT[c] + " / plain", r[c], ">= 0.80", r[c] >= 0.80)
    for d in ("encap", "decap"):
        a, b = "aftr_%s_1M" % d, "aftr_%s_1" % d
        if best(a) and best(b):
            v = best(a) / best(b)
            target("AFTR %s: 1M softwires / 1 softwire" % d, v, ">= 0.90", v >= 0.9)
    if r.get("aftr_encap_1") is not None and r.get("v4_ip6tnl_encap") is not None:
        target("AFTR encap (1 softwire) / plain vs ip4ip6 encap (%.3f)" % r["v4_ip6tnl_encap"],
               r["aftr_encap_1"], ">= ip4ip6", r["aftr_encap_1"] >= r["v4_ip6tnl_encap"])
    if added_ns("aftr_decap_1") is not None and added_ns("decap_ip6tnl") is not None:
        target("AFTR decap (1 softwire) added ns vs ip4ip6 decap (%.0f ns)" % added_ns("decap_ip6tnl"),
               added_ns("aftr_decap_1"), "<= ip4ip6", added_ns("aftr_decap_1") <= added_ns("decap_ip6tnl"),
               "%.0f ns")
    def us(v):
        return "%.2f µs" % (v / 1e3) if v is not None else "not measured"

    # Issue 18: the SIIT pairs at most 0.4 of Jool's added cost, the BR
    # (a MAP rule where Jool has an EAM) at most half.
    for ours, jool in VS_JOOL:
        a, b = added_ns(ours), added_ns(jool)
        if a is None and b is None:
            continue
        goal = 0.4 if "siit" in ours or "clat" in ours else 0.5
        target("added cost per packet: %s (%s) / %s (%s)" % (WHAT[ours], us(a), WHAT[jool], us(b)),
               a / b if a is not None and b else None, "<= %.1f of Jool's" % goal,
               a is not None and b is not None and a <= b * goal, "%.2f")
    a, b = added_ns("mapt_ce"), added_ns("xlat_b4_lw4o6")
    if a is not None and b:
        target("added cost per packet: %s (%s) / %s (%s)" % (
            WHAT["mapt_ce"], us(a), WHAT["xlat_b4_lw4o6"], us(b)), a / b,
            "<= 1 (no slower than the B4)", a <= b, "%.2f")
    if best("mapt_siit_6to4_eam100k") and best("mapt_siit_6to4"):
        v = best("mapt_siit_6to4_eam100k") / best("mapt_siit_6to4")
        target("MAPT SIIT: 100000 EAMs / 1 EAM (rate)", v, ">= 0.90", v >= 0.9)
    if tcp.get("tcp_b4") and tcp.get("tcp_ip6tnl"):
        a, b = max(tcp["tcp_b4"].values()), max(tcp["tcp_ip6tnl"].values())
        if not a or not b:
            a = None            # a transfer failed: no comparison
        target("TCP bulk: B4 vs ip4ip6 device (%.0f Mbit/s)" % b, a, ">= ip4ip6",
               a is not None and a >= b, "%.0f Mbit/s")

    md = []
    md.append("Machine: %s; VM kernel %s, %s vCPUs (qemu TCG), %s; %s rounds of %s packets "
              "(TCP: %s s). Best and median of the rounds; ratio = best / best of the matching "
              "plain case, and the median of the per-round ratios; added = 1e9/rate - 1e9/plain "
              "(best rates)." % (machine, info.get("kernel", "?"), info.get("cpus", "?"),
                                 info.get("slub_debug", "?"), info.get("rounds", "?").split()[0],
                                 info.get("rounds", "? ? ?").split()[2],
                                 info.get("rounds", "? ? ? ? ?").split()[4]))
    md.append("")
    md.append("| case | best kpps | median kpps | / plain (best) | / plain (median) | added ns/pkt |")
    md.append("|---|---:|---:|---:|---:|---:|")
    chart = []
    for c in order:
        vals = sorted(rates[c].values())
        rb, rm = ratio(c)
        ns = added_ns(c)
        md.append("| %s | %.1f | %.1f | %s | %s | %s |" % (
            WHAT.get(c, c), best(c) / 1e3, statistics.median(vals) / 1e3,
            "%.3f" % rb if rb is not None else "plain",
            "%.3f" % rm if rm is not None else "",
            "%.0f" % ns if ns is not None else ""))
        if rb is not None:
            chart.append((c, rb, rm if rm is not None else rb))
    for c in sorted(tcp):
        vals = sorted(tcp[c].values())
        md.append("| %s | %.0f Mbit/s | %.0f Mbit/s | | | |" % (WHAT.get(c, c), max(vals),
                                                              statistics.median(vals)))
    md.append("")
    if gso:
        md.append("| GSO through the router (best round) | client TCP segments | router lan rx skbs "
                  "| router wan tx skbs | bytes per wan skb | software segmentation |")
        md.append("|---|---:|---:|---:|---:|---|")
        for c in sorted(gso):
            rounds = tcp.get(c, {})
            r = max(gso[c], key=lambda k: rounds.get(k, 0))
            lan, wan, wbytes, segs = gso[c][r]
            kept = wan and wan <= 1.1 * lan and 2 * wan < segs
            md.append("| %s | %d | %d | %d | %.0f | %s |" % (
                WHAT.get(c, c), segs, lan, wan, wbytes / wan if wan else 0,
                "no: super-packets crossed whole" if kept else "**yes, or unclear**"))
        md.append("")
    if targets:
        md.append("| target | measured | goal | met |")
        md.append("|---|---:|---|---|")
        for name, val, goal, met in targets:
            md.append("| %s | %s | %s | %s |" % (name, val, goal,
                                                 "n/a" if met is None else ("yes" if met else "**MISSED**")))
        md.append("")
    if ctl:
        md.append("| control plane (1M softwires) | |")
        md.append("|---|---:|")
        parse = float(ctl.get("parse_s", "nan"))
        load = float(ctl.get("load_s", "nan"))
        md.append("| load, total | %.2f s |" % load)
        md.append("| parse only (`check`) | %.2f s |" % parse)
        md.append("| kernel and transport (load - parse) | %.2f s |" % (load - parse))
        md.append("| bytes per softwire (table's account / MemAvailable) | %s / %s |" % (
            ctl.get("bytes_per_softwire_table", "?"), ctl.get("bytes_per_softwire_memavail", "?")))
        md.append("| slowest nlctrl request during the load (%s requests) | %s s |" % (
            ctl.get("nlctrl_requests", "?"), ctl.get("nlctrl_max_wait_s", "?")))
        md.append("| slowest `ethtool -i` during the load (%s requests) | %s s |" % (
            ctl.get("ethtool_requests", "?"), ctl.get("ethtool_max_wait_s", "?")))
        md.append("")
    if micro:
        md.append("| plain-C core (callgrind) | instructions/call | ns/call (host, rough) |")
        md.append("|---|---:|---:|")
        for name, ir, ns, what in micro:
            md.append("| %s: %s | %s | %s |" % (name, what, ir, ns))
        md.append("")
    with open(outdir + "/results.md", "w") as f:
        f.write("\n".join(md))
    with open(outdir + "/chart.dat", "w") as f:
        for c, rb, rm in chart:
            f.write('"%s" %.4f %.4f\n' % (c, rb, rm))
    missed = [t for t in targets if t[3] is False]
    print("\n".join(md))
    print("targets: %d met, %d missed" % (sum(1 for t in targets if t[3]), len(missed)))


if __name__ == "__main__":
    main()
