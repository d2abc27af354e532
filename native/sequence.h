// Ordered sending (native/sequence.c) on a libuv worker, registered by shim.c.
#ifndef RTNL_SEQUENCE_H
#define RTNL_SEQUENCE_H

#include <node_api.h>

napi_value shim_sequence_open(napi_env env, napi_callback_info info);
napi_value shim_sequence_push(napi_env env, napi_callback_info info);
napi_value shim_sequence_end(napi_env env, napi_callback_info info);

#endif
