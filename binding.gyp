{
  "targets": [
    {
      "target_name": "rtnl_shim",
      "sources": ["native/shim.c", "native/sequence.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "configurations": {
        "Release": {
          "cflags!": ["-O3"],
          "cflags": ["-O2"]
        }
      }
    },
    {
      "target_name": "rtnl_nshelper",
      "type": "executable",
      "sources": ["native/nshelper.c"],
      "defines": ["_GNU_SOURCE"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra"],
      "configurations": {
        "Release": {
          "cflags!": ["-O3"],
          "cflags": ["-O2"]
        }
      }
    }
  ]
}
