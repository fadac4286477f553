/* Can this process run AMX? scripts/cpu-amx.js compiles this with -mamx-tile and runs it as a
 * child, so a SIGILL kills only the probe. Linux gives a process the AMX tile state only after it
 * asks (arch_prctl ARCH_REQ_XCOMP_PERM for XTILEDATA); a VM or sandbox may advertise AMX in
 * /proc/cpuinfo and still refuse it, or not enable it in XCR0, and then the first tile instruction
 * faults. Exit 0: permission granted and a tile configured, zeroed and released. Exit 2: refused. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

/* the 64-byte tile configuration of palette 1 (Intel SDM, LDTILECFG) */
struct tile_config {
    uint8_t palette_id;
    uint8_t start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
};

int main(void) {
    if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) != 0) {
        puts("the kernel refused the AMX tile permission: arch_prctl ARCH_REQ_XCOMP_PERM failed");
        return 2;
    }
    struct tile_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette_id = 1;
    cfg.rows[0] = 16;
    cfg.colsb[0] = 64;
    _tile_loadconfig(&cfg);
    _tile_zero(0);
    _tile_release();
    puts("AMX tile instructions ran");
    return 0;
}
