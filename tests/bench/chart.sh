#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# chart.sh OUTDIR MACHINE: OUTDIR/results.png from OUTDIR/chart.dat (written
# by report.py): each case's rate as a fraction of its plain forwarding.
out=$1
gnuplot <<GP
set terminal pngcairo size 1100,600 noenhanced
set output "$out/results.png"
set title "xt-softwire make bench: rate / matching plain forwarding ($2)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:1.15]
set grid ytics
set xtics rotate by -35 scale 0
set bmargin 8
set key top right
plot "$out/chart.dat" using 2:xtic(1) title "best / best plain", \
     "" using 3 title "median of per-round ratios", \
     0.97 with lines dt 2 lw 2 title "MAP66 target 0.97", \
     0.80 with lines dt 3 lw 2 title "B4 target 0.80"
GP
