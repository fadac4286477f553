# CPU flags shared by cogito's build and the pristine llama.cpp peer build (included there
# through CMAKE_PROJECT_INCLUDE), so both compile the same kernels.
#
# AMX: hosts (VMs, sandboxes) may advertise AMX while the kernel does not grant its tile state, and
# ggml's AMX kernels then die with SIGILL. So the decision is made once, before either build is
# configured, by scripts/cpu-amx.js (called by scripts/build-native.js and scripts/build-peers.js):
# ON only when the CPU advertises amx_tile and amx_int8 and a probe that requests the tile
# permission and runs a tile instruction passes, or when forced with the environment variable
# COGITO_CPU_AMX=ON|OFF. Both builds receive the same COGITO_CPU_AMX and COGITO_CPU_AMX_REASON.
# A plain cmake configure without them keeps AMX out, the safe default.
option(COGITO_CPU_AMX "Compile ggml's AMX kernels when the CPU advertises AMX (set by scripts/cpu-amx.js)" OFF)
set(COGITO_CPU_AMX_REASON "" CACHE STRING "Why COGITO_CPU_AMX is ON or OFF (scripts/cpu-amx.js's verdict)")
if(COGITO_CPU_AMX_REASON)
  set(_cogito_amx_reason "${COGITO_CPU_AMX_REASON}")
else()
  set(_cogito_amx_reason "COGITO_CPU_AMX=${COGITO_CPU_AMX} given to cmake, no probe")
endif()
if(COGITO_CPU_AMX)
  set(COGITO_CPU_AMX_DECISION "on (${_cogito_amx_reason})")
else()
  set(COGITO_CPU_AMX_DECISION "off (${_cogito_amx_reason})")
endif()
# once per configure: the peer build includes this file after each project() call
get_property(_cogito_amx_shown GLOBAL PROPERTY COGITO_CPU_AMX_SHOWN)
if(NOT _cogito_amx_shown)
  message(STATUS "cogito: AMX kernels ${COGITO_CPU_AMX_DECISION}")
  set_property(GLOBAL PROPERTY COGITO_CPU_AMX_SHOWN TRUE)
endif()

# (not for ggml's runtime CPU variants, GGML_CPU_ALL_VARIANTS: the sapphirerapids variant is built with
# AMX and ggml loads it only on a CPU that has AMX; its AMX kernels run only when the OS grants the tile state)
if(NOT COGITO_CPU_AMX AND NOT GGML_CPU_ALL_VARIANTS AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64"
   AND (CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" OR CMAKE_C_COMPILER_ID MATCHES "GNU|Clang"))
  # must precede ggml's -march=native on the command line, which CMAKE_<LANG>_FLAGS does
  set(CMAKE_C_FLAGS "${CMAKE_C_FLAGS} -mno-amx-tile -mno-amx-int8 -mno-amx-bf16")
  set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} -mno-amx-tile -mno-amx-int8 -mno-amx-bf16")
endif()
