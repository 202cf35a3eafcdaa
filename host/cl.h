/*
 * cl.h — the one place that includes the OpenCL headers, so every file agrees
 * on the target version (1.2: what PoCL, NVIDIA and most mobile drivers share).
 */
#ifndef CLINFER_CL_H
#define CLINFER_CL_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#endif
