/* Test-only stand-in for bcryptprimitives.dll under wine 8 (Debian 12),
 * which lacks it: Rust's standard library on Windows 10 and later takes its
 * random bytes from ProcessPrng there. This one asks BCryptGenRandom, which
 * wine has. Built next to the Windows test programs by make test-dist; never
 * shipped (Windows 10 and 11 have the real one). */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
