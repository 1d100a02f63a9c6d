/*
 * The host's memory states (docs/design.md section 2): the one host type a
 * policy and the outputs need, so it stands alone; the thresholds that move
 * the host between states are in host/host.h.
 */
#pragma once

/* Host memory states, most relaxed first (6.0+ names). */
typedef enum {
    HOST_STATE_HIGH,
    HOST_STATE_CLEAR,
    HOST_STATE_SOFT,
    HOST_STATE_HARD,
    HOST_STATE_LOW,
    HOST_STATE_MAX
} HostState;

/* "high", "clear", "soft", "hard", "low": the names of host.csv and summary.json. */
const char *host_state_to_string(HostState state);
