{
  "targets": [
    {
      "target_name": "wwpcap",
      "sources": ["src/wwpcap.c"],
      "libraries": ["-lpcap"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
