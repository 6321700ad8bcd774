/* A test fixture for Wine 8, never shipped: Go 1.24+ gets its random bytes
 * from ProcessPrng in bcryptprimitives.dll, which Wine 8 does not have, so
 * every Go program aborts at start. This stand-in forwards to
 * BCryptGenRandom with the system's preferred generator.
 * Built by scripts/wine-prefix.sh into the test prefix's system32. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
