// sendSequence (native/sequence.c): ordered sending on a libuv worker, registered by shim.c.
#ifndef RTNL_SEQUENCE_H
#define RTNL_SEQUENCE_H

#include <node_api.h>

napi_value shim_send_sequence(napi_env env, napi_callback_info info);

#endif
