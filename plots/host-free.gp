# Host free memory over time against the memory states (docs/design.md section 2).
# reclaimsim sets: datafile (time_s free_mb), title_text, t_high .. t_low
# (thresholds, MiB), p_high .. p_low (% of minFree), ymin, ymax.
load plotsdir.'/common.gp'

set title title_text font ',13'
set xlabel time_label
set ylabel 'free memory (MiB, log scale)'
set label 10 'thresholds (% of minFree)' at graph 1, graph 1 offset 1,0.6 left
set logscale y
set yrange [ymin:ymax]
set format y '%.0f'
set rmargin 28
set key outside below center horizontal maxcols 6 maxrows 1

# The bands: the host is in state X while free memory is in [T_X, T_next).
set object 1 rect from graph 0, first t_high  to graph 1, first ymax   fc rgb c_high  behind
set object 2 rect from graph 0, first t_clear to graph 1, first t_high  fc rgb c_clear behind
set object 3 rect from graph 0, first t_soft  to graph 1, first t_clear fc rgb c_soft  behind
set object 4 rect from graph 0, first t_hard  to graph 1, first t_soft  fc rgb c_hard  behind
set object 5 rect from graph 0, first ymin    to graph 1, first t_hard  fc rgb c_low   behind

# The thresholds, labelled in the right margin where no data is.
th(name, t, p) = sprintf('%s %.0f%%: %.0f MiB', name, p, t)
set arrow 1 from graph 0, first t_high  to graph 1, first t_high  nohead lc rgb c_sla dt 2
set arrow 2 from graph 0, first t_clear to graph 1, first t_clear nohead lc rgb c_sla lw 2
set arrow 3 from graph 0, first t_soft  to graph 1, first t_soft  nohead lc rgb c_sla dt 2
set arrow 4 from graph 0, first t_hard  to graph 1, first t_hard  nohead lc rgb c_sla dt 2
set arrow 5 from graph 0, first t_low   to graph 1, first t_low   nohead lc rgb c_sla dt 2
set label 1 th('high', t_high, p_high)            at graph 1, first t_high  offset 1,0 left
set label 2 th('clear = minFree', t_clear, p_clear) at graph 1, first t_clear offset 1,0 left
set label 3 th('soft', t_soft, p_soft)            at graph 1, first t_soft  offset 1,0 left
set label 4 th('hard', t_hard, p_hard)            at graph 1, first t_hard  offset 1,0 left
set label 5 th('low', t_low, p_low)               at graph 1, first t_low   offset 1,0 left

# The key lists the bands too (dummy NaN curves carry their swatches).
plot datafile using 1:2 with lines lw 2 lc rgb c_line title 'free memory', \
     NaN with boxes fc rgb c_high  title 'high state', \
     NaN with boxes fc rgb c_clear title 'clear state', \
     NaN with boxes fc rgb c_soft  title 'soft state', \
     NaN with boxes fc rgb c_hard  title 'hard state', \
     NaN with boxes fc rgb c_low   title 'low state'
