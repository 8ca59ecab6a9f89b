/*
 * A stand-in for Windows' bcryptprimitives.dll, for Wine 8.0 (Debian 12),
 * which lacks it. Every Go program since Go 1.22 takes its random numbers
 * from ProcessPrng in that DLL and stops at start-up without it
 * ("fatal error: bcryptprimitives.dll not found"); Windows 10 and 11 have it.
 * scripts/wine-check.sh builds this with mingw-w64 into its own Wine prefix
 * only; it is never shipped.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	/* BCryptGenRandom takes a ULONG length; ProcessPrng a SIZE_T. */
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
