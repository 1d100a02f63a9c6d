# Shared by every reclaimsim figure: terminal, fonts, colours, time axis.
# reclaimsim sets before this file: fmt ('png' or 'svg'), out (path without
# extension), width and height (pixels), tmax and xstep (seconds).

# 11 pt DejaVu Sans: readable at 100% zoom in a browser and in a PDF page
# (Debian's fonts-dejavu-core, a dependency of gnuplot's cairo terminals).
# noenhanced: VM names such as db_1 are text, not subscripts.
if (fmt eq 'png') {
    set terminal pngcairo size width,height font 'DejaVu Sans,11' noenhanced \
        linewidth 1.2 background rgb 'white'
} else {
    set terminal svg size width,height font 'DejaVu Sans,11' noenhanced \
        linewidth 1.2 background rgb 'white'
}
set output out.'.'.fmt
set encoding utf8

# One colour per mechanism, the same in every figure: the Okabe-Ito
# colour-blind-safe palette (Okabe and Ito 2008, "Color Universal Design").
c_private     = '#0072B2'   # blue: resident private memory
c_shared      = '#009E73'   # bluish green: page sharing
c_compressed  = '#56B4E9'   # sky blue: compression
c_swapped     = '#D55E00'   # vermillion: host swap
c_balloon     = '#E69F00'   # orange: balloon
c_untouched   = '#DDDDDD'   # light grey: never touched (not a mechanism)
c_active      = '#CC79A7'   # reddish purple: sampled active memory
c_line        = '#000000'   # black: the main measured line
c_sla         = '#555555'   # dark grey: limits and thresholds

# Memory-state bands, least to most severe: Paul Tol's colour-blind-safe
# sequential YlOrBr scheme (Tol, "Colour Schemes", SRON/EPS/TN/09-002).
c_high  = '#FFFFE5'
c_clear = '#FFF7BC'
c_soft  = '#FEE391'
c_hard  = '#FEC44F'
c_low   = '#FB9A29'

# Time in h:mm from the start of the run (hours go past 24 on long runs).
set xrange [0:tmax]
set xtics 0, xstep format '%tH:%tM' time nomirror
set mxtics 2
set border 3
set ytics nomirror
set grid xtics ytics lc rgb '#E0E0E0' lw 1 dt 1
set style fill solid 1.0 noborder
time_label = 'time since start (h:mm)'
