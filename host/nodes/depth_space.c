/*
 * depth_space.c — DepthToSpace / SpaceToDepth nodes; the kernels in
 * ops/depth_space.c. The node's attribute is the block size and the mode.
 */
#include "../ops/depth_space.h"
#include "nodes.h"

static clinfer_status depth_space_node_params(const node_ctx *c, depth_space_params *p)
{
    p->input = *c->in[0];
    p->blocksize = c->node->attrs.depth_space.blocksize;
    p->mode = (depth_space_mode)c->node->attrs.depth_space.mode;
    return CLINFER_OK;
}

NODE_ONE_INPUT_LAUNCH(node_depth_space_impl, depth_space_params, depth_space_node_params,
                      depth_space_output_shape, depth_space_prepare, launch_bind_io);
