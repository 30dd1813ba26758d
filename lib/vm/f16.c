// SPDX-License-Identifier: MIT
/*
 * DOC: f16 conversions, ported from the reference
 *
 * The reference (host_vm.py f16_to_f32/f32_to_f16) does its arithmetic in
 * Python floats, which are IEEE doubles, and rounds with Python's round(),
 * which is round-half-to-even.  To be bit-exact we do the same in double:
 * the exponent comes from floor(log(a)/log(2)) exactly as math.log(a, 2)
 * computes it, and nearbyint() in the default rounding mode rounds half to
 * even.  Two reference quirks are kept on purpose: every NaN becomes
 * 0x7E00, and a subnormal whose rounding carries into 2^-14 saturates at
 * 0x03FF instead of becoming the smallest normal.
 */
#include <math.h>

#include "vm/vm.h"

double hsx_vm_f16_to_double(uint16_t h)
{
	double sign = (h & 0x8000) ? -1.0 : 1.0;
	int e = (h >> 10) & 0x1F;
	int f = h & 0x3FF;

	if (e == 0)
		return f == 0 ? sign * 0.0 : sign * ldexp((double)f, -24);
	if (e == 0x1F)
		return f == 0 ? sign * INFINITY : NAN;
	return sign * ldexp(1.0 + f / 1024.0, e - 15);
}

static uint16_t f16_subnormal(unsigned int s, double a)
{
	double mant = nearbyint(a * 16777216.0); /* a * 2^24 */

	if (mant <= 0)
		return (uint16_t)(s << 15);
	if (mant > 0x3FF)
		mant = 0x3FF;
	return (uint16_t)((s << 15) | (unsigned int)mant);
}

uint16_t hsx_vm_f16_from_double(double v)
{
	unsigned int s;
	double a, f;
	int e, bias_e;

	if (isnan(v))
		return 0x7E00;
	if (isinf(v))
		return v > 0 ? 0x7C00 : 0xFC00;
	s = signbit(v) ? 1 : 0;
	a = fabs(v);
	if (a == 0.0)
		return (uint16_t)(s << 15);
	e = (int)floor(log(a) / log(2.0));
	if (e > 15)
		return (uint16_t)((s << 15) | 0x7C00);
	if (e < -14)
		return f16_subnormal(s, a);
	bias_e = e + 15;
	f = nearbyint((a / ldexp(1.0, e) - 1.0) * 1024.0);
	if (f == 1024.0) {
		f = 0;
		if (++bias_e >= 0x1F)
			return (uint16_t)((s << 15) | 0x7C00);
	}
	return (uint16_t)((s << 15) | ((bias_e & 0x1F) << 10) |
			  ((unsigned int)f & 0x3FF));
}
