# Per VM, the performance index (left axis) and the stall % (right axis,
# shaded), with the SLA line when the scenario has one.
# reclaimsim sets: datafile (one block per panel: time_s perf_index
# stall_pct), perf_lo, stall_hi, has_sla, sla and the panel parameters.
load plotsdir.'/common.gp'

ylabel_text = 'performance index'
# a little headroom: an unstalled VM's line at 1.0 would hide in the border
set yrange [perf_lo:1 + 0.03 * (1 - perf_lo)]
set y2range [0:stall_hi]
set ytics nomirror
set y2tics nomirror textcolor rgb c_active
y2label_text = 'stall %'
set y2label textcolor rgb c_active
set border 11
sla_title = has_sla ? sprintf('SLA: performance index >= %.2f', sla) : ''
legend_pass = 0
panel_plot = "plot datafile index (i-1) using 1:(legend_pass ? NaN : 0):(legend_pass ? NaN : column(3)) axes x1y2 with filledcurves lc rgb c_active fs transparent solid 0.35 title 'stall % (right axis)', \
    (has_sla ? sla : NaN) with lines lw 1.5 dt 2 lc rgb c_sla title sla_title, \
    datafile index (i-1) using 1:2 with lines lw 2 lc rgb c_line title 'performance index'"
load plotsdir.'/panels.gp'
