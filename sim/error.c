#include "sim/error.h"

G_DEFINE_QUARK(reclaimsim-error-quark, sim_error)

int sim_error_exit_code(const GError *error)
{
    if (error == NULL) {
        return SIM_EXIT_OK;
    }
    if (error->domain != SIM_ERROR) {
        return SIM_EXIT_RUNTIME;
    }
    switch ((SimErrorCode)error->code) {
    case SIM_ERROR_USAGE:
    case SIM_ERROR_PARSE:
    case SIM_ERROR_UNKNOWN_KEY:
    case SIM_ERROR_TYPE:
    case SIM_ERROR_VALUE:
    case SIM_ERROR_RANGE:
    case SIM_ERROR_PLUGIN:
        return SIM_EXIT_BAD_INPUT;
    case SIM_ERROR_IO:
    case SIM_ERROR_RUNTIME:
    case SIM_ERROR_MAX:
        break;
    }
    return SIM_EXIT_RUNTIME;
}
