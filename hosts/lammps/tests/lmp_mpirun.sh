#!/bin/sh
# Runs a program on NP MPI ranks, with the settings Open MPI needs on CI machines and in containers:
#   sh lmp_mpirun.sh MPIEXEC NP PROGRAM [ARGS...]
# - as root, Open MPI refuses to start without OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM);
# - with more ranks than cores (2-core CI machines, other jobs in parallel) it needs oversubscription;
# Both are environment variables, which other MPI implementations ignore.
set -eu
mpiexec=$1
np=$2
shift 2
export OMPI_ALLOW_RUN_AS_ROOT=1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
exec "$mpiexec" -np "$np" "$@"
