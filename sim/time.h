/* Simulated time: signed 64-bit nanoseconds since the start of the run. */
#pragma once

#include <stdint.h>

typedef int64_t SimTime;

#define SIM_NS ((SimTime)1)
#define SIM_US ((SimTime)1000)
#define SIM_MS ((SimTime)1000000)
#define SIM_S ((SimTime)1000000000)
#define SIM_MIN (60 * SIM_S)
#define SIM_HOUR (3600 * SIM_S)
#define SIM_DAY (86400 * SIM_S)
#define SIM_TIME_NEVER INT64_MAX

static inline double sim_time_to_s(SimTime t)
{
    return (double)t / (double)SIM_S;
}

static inline SimTime sim_time_from_s(double s)
{
    return (SimTime)(s * (double)SIM_S);
}
