# node-gyp build of the cogito addon: the same native/*.cpp as CMakeLists.txt (the build of
# record, cmake-js), linked against the same patched llama.cpp + ggml. Those are built by CMake,
# configured from CMakeLists.txt itself, so the source preparation (node-llama-cpp's git bundle,
# llama_patch/*.patch) and every llama.cpp/ggml option stay defined in one place.
# CPU only (GPU builds: npm install with COGITO_GPU). Linux and macOS.
# See README, "Building with node-gyp", for the command (it passes --nodedir: nothing is downloaded).
{
  'variables': {
    # outside build/Release and apart from cmake-js's own files in build/
    'llama_build_dir': '<(module_root_dir)/build/gyp-llama',
    'cogito_jobs%': '<!(node -p "process.env.COGITO_JOBS || require(\'os\').availableParallelism()")',
    # COGITO_PORTABLE=1 (ggml's runtime CPU variants) needs shared libraries beside the addon: cmake-js only
    'cogito_portable%': '<!(node -e "if (process.env.COGITO_PORTABLE === \'1\') { console.error(\'cogito: COGITO_PORTABLE=1 builds with npm run build:native (cmake-js), not node-gyp\'); process.exit(1) } process.stdout.write(\'OFF\')")',
    # the AMX decision scripts/build-native.js makes (probe, or COGITO_CPU_AMX=ON|OFF): see scripts/cpu-amx.js
    'cogito_cpu_amx%': '<!(node scripts/cpu-amx.js --cmake)',
    'cogito_cpu_amx_reason%': '<!(node scripts/cpu-amx.js --reason)',
    'conditions': [
      ['OS=="mac"', {
        # Apple's clang has no OpenMP; Metal and BLAS would add libraries this file does not link
        'llama_platform_options': ['-DGGML_OPENMP=OFF', '-DGGML_METAL=OFF', '-DGGML_BLAS=OFF'],
      }, {
        'llama_platform_options': [],
      }],
    ],
  },
  'targets': [
    {
      # configure llama.cpp + ggml through cogito's CMakeLists.txt (clones the bundle, applies the patches)
      'target_name': 'llama_configure',
      'type': 'none',
      'actions': [{
        'action_name': 'cmake_configure',
        'inputs': [
          '<(module_root_dir)/CMakeLists.txt',
          '<!@(node -p "require(\'fs\').readdirSync(\'cmake\').map((f) => \'cmake/\' + f).join(\' \')")',
          '<!@(node -p "require(\'fs\').readdirSync(\'llama_patch\').filter((f) => f.endsWith(\'.patch\')).map((f) => \'llama_patch/\' + f).join(\' \')")',
        ],
        'outputs': ['<(llama_build_dir)/CMakeCache.txt'],
        'action': [
          'cmake', '-S', '<(module_root_dir)', '-B', '<(llama_build_dir)', '-DCMAKE_BUILD_TYPE=Release',
          '-DCOGITO_GPU=cpu', '-DCOGITO_PORTABLE=<(cogito_portable)', '<@(llama_platform_options)',
          '-DCOGITO_CPU_AMX=<(cogito_cpu_amx)', '-DCOGITO_CPU_AMX_REASON=<(cogito_cpu_amx_reason)',
        ],
      }],
    },
    {
      # build only the static llama and ggml libraries and llama.cpp's JSON-Schema converter
      # (cogito_json_schema, defined in CMakeLists.txt); the addon itself is compiled by gyp below
      'target_name': 'llama',
      'type': 'none',
      'dependencies': ['llama_configure'],
      'actions': [{
        'action_name': 'cmake_build',
        'inputs': ['<(llama_build_dir)/CMakeCache.txt'],
        'outputs': [
          '<(llama_build_dir)/llama/src/libllama.a',
          '<(llama_build_dir)/llama/ggml/src/libggml.a',
          '<(llama_build_dir)/llama/ggml/src/libggml-cpu.a',
          '<(llama_build_dir)/llama/ggml/src/libggml-base.a',
          '<(llama_build_dir)/libcogito_json_schema.a',
        ],
        'action': [
          'cmake', '--build', '<(llama_build_dir)', '--config', 'Release', '--parallel', '<(cogito_jobs)',
          '--target', 'llama', 'ggml', 'cogito_json_schema',
        ],
      }],
    },
    {
      'target_name': 'cogito',
      'dependencies': ['llama'],
      'sources': ['<!@(node -p "require(\'fs\').readdirSync(\'native\').filter((f) => f.endsWith(\'.cpp\')).map((f) => \'native/\' + f).join(\' \')")'],
      'include_dirs': [
        '<!(node -p "require(\'node-api-headers\').include_dir")',
        '<!(node -p "require(\'path\').dirname(require.resolve(\'node-addon-api/package.json\'))")',
        # cogito_build_info.h, written by CMakeLists.txt's configure (native/system_info.cpp)
        '<(llama_build_dir)',
        '<(llama_build_dir)/llama.cpp/include',
        '<(llama_build_dir)/llama.cpp/ggml/include',
        # as in CMakeLists.txt: llama-grammar.h (native/grammar.cpp) and the converter's headers
        '<(llama_build_dir)/llama.cpp/src',
        '<(llama_build_dir)/llama.cpp/common',
      ],
      # the same definitions as CMakeLists.txt gives the addon
      'defines': ['NAPI_VERSION=8', 'NAPI_DISABLE_CPP_EXCEPTIONS=0', 'NODE_ADDON_API_CPP_EXCEPTIONS', 'COGITO_GPU="cpu"'],
      # node's common.gypi turns C++ exceptions off; node-addon-api is used with them on
      'cflags_cc!': ['-fno-exceptions', '-fno-rtti'],
      'conditions': [
        ['OS=="linux"', {
          # a group: ggml and ggml-cpu/ggml-base refer to each other
          'libraries': [
            '-Wl,--start-group',
            '<(llama_build_dir)/libcogito_json_schema.a',
            '<(llama_build_dir)/llama/src/libllama.a',
            '<(llama_build_dir)/llama/ggml/src/libggml.a',
            '<(llama_build_dir)/llama/ggml/src/libggml-cpu.a',
            '<(llama_build_dir)/llama/ggml/src/libggml-base.a',
            '-Wl,--end-group',
            '-fopenmp', '-pthread', '-ldl', '-lm',
          ],
        }],
        ['OS=="mac"', {
          'libraries': [
            '<(llama_build_dir)/libcogito_json_schema.a',
            '<(llama_build_dir)/llama/src/libllama.a',
            '<(llama_build_dir)/llama/ggml/src/libggml.a',
            '<(llama_build_dir)/llama/ggml/src/libggml-cpu.a',
            '<(llama_build_dir)/llama/ggml/src/libggml-base.a',
            '-framework Accelerate',
          ],
          'xcode_settings': {
            'GCC_ENABLE_CPP_EXCEPTIONS': 'YES',
            'GCC_ENABLE_CPP_RTTI': 'YES',
            'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
            'MACOSX_DEPLOYMENT_TARGET': '13.3',
          },
        }],
      ],
    },
  ],
}
