# compare: host free memory over time, one line per policy.
# reclaimsim sets: datafile (one block per policy: time_s free_mb),
# title_text, n_pol, pnames[], pcolours[], pdashes[], ymin, ymax,
# min_free (MiB, NaN when the policies' minFree differ).
load plotsdir.'/common.gp'

set title title_text font ',13'
set xlabel time_label
set ylabel 'host free memory (MiB, log scale)'
set logscale y
set yrange [ymin:ymax]
set format y '%.0f'
set key outside below center horizontal maxrows 1
set rmargin 4

plot for [k=1:n_pol] datafile index (k-1) using 1:2 with lines lw 2 \
         lc rgb pcolours[k] dt pdashes[k] title pnames[k], \
     min_free with lines lw 1.5 dt 2 lc rgb c_sla title 'minFree (below it: soft state or worse)'
