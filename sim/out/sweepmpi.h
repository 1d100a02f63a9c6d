/*
 * Sweep points across the ranks of an MPI job (docs/sweep.md, "Across
 * nodes with Open MPI"): under `mpirun -np K reclaimsim sweep ...`, rank 0
 * runs the command as it would alone; ranks 1 to K-1 run no command but
 * serve points: each tells rank 0 how many points it runs at once (its
 * --jobs), rank 0 hands it one point at a time per free slot (a rank that
 * finishes early takes more), the rank runs it with sim_sweep_run_point_text
 * on the scenario text rank 0 sent, and sends the result back packed to the
 * bit (sim/out/sweeppoint.h). Rank 0 is the only writer; it tells every
 * rank to stop when it exits, whatever the exit.
 *
 * Only rank 0's main thread and each serving rank's main thread call MPI
 * (MPI_THREAD_FUNNELED); they poll with short sleeps rather than block in
 * MPI, whose blocking calls spin on a core. Built only with an MPI library
 * (RECLAIMSIM_MPI); without one every function below says "one process".
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/out/sweeppoint.h"

/* Joins the MPI job when the process was started by an MPI launcher
 * (mpirun, or srun with PMIx or PMI2: their environment variables say so),
 * and returns this process's rank; 0 and no MPI at all otherwise, so a
 * plain run pays nothing for it. Call first in main(). */
int sim_mpi_start(int *argc, char ***argv);

/* Ranks in the job; 1 outside one. */
guint sim_mpi_size(void);

/* Ranks of the job on this node (sharing its memory), this one included;
 * 1 outside a job. The default --jobs divides the node's cores by it. */
guint sim_mpi_ranks_here(void);

/* "Open MPI 4.1.4", the library's own words; NULL when built without MPI. */
const char *sim_mpi_library(void);

/* A rank > 0: serves points on `jobs` threads until rank 0 says stop.
 * Returns the exit code of the rank (1 when MPI failed). */
int sim_mpi_serve(guint jobs);

/* At exit, every rank: rank 0 tells the other ranks to stop; then leaves
 * the job (MPI_Finalize). Idempotent; nothing outside a job. */
void sim_mpi_finish(void);

/* ---- rank 0 during a sweep (sim/out/sweeprun.c) ---- */

typedef struct SimMpiSweep SimMpiSweep;

/* The points of one sweep of `scenario` (NULL: the built-in default), whose
 * text goes once to each rank that runs one of them. NULL when there is no
 * other rank, or the scenario cannot be read (rank 0 then runs every point,
 * and each fails to load as it would alone). */
SimMpiSweep *sim_mpi_sweep_new(const char *scenario);
void sim_mpi_sweep_free(SimMpiSweep *sweep);

/* Whether some rank has a free slot. */
bool sim_mpi_sweep_has_slot(const SimMpiSweep *sweep);

/* Points sent and not yet answered. */
guint sim_mpi_sweep_in_flight(const SimMpiSweep *sweep);

/* Sends `point` to a rank with a free slot. False when MPI failed. */
bool sim_mpi_sweep_send(SimMpiSweep *sweep, const SimSweepPoint *point, GError **error);

/* Reads what the ranks sent, without waiting: true with *answered set when
 * a point in flight was answered, *result its result or NULL when an
 * interrupt cut it short (missing, not failed); *answered false when
 * nothing came. False when MPI failed (a rank died, a message was not one
 * of ours). */
bool sim_mpi_sweep_poll(SimMpiSweep *sweep, bool *answered, SimSweepResult **result,
                        GError **error);

/* After an interrupt of rank 0: the ranks cut their points short. */
void sim_mpi_sweep_interrupt(SimMpiSweep *sweep);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimMpiSweep, sim_mpi_sweep_free)
