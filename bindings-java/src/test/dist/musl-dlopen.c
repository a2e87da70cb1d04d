/* Loads a library through musl's dynamic loader, binding every symbol now,
 * and looks up one JNI entry point: what a JVM on musl (Alpine) does first.
 *   musl-dlopen <library> <symbol>   exits 0 when both succeed. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <library> <symbol>\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    if (dlsym(lib, argv[2]) == NULL) {
        fprintf(stderr, "dlsym %s: %s\n", argv[2], dlerror());
        return 1;
    }
    printf("musl's loader loads %s (every symbol bound) and finds %s\n", argv[1], argv[2]);
    return 0;
}
