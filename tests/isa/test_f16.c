// SPDX-License-Identifier: MIT
/*
 * DOC: f16 conformance of the VM against an independent model
 *
 * The model below is written from the IEEE 754 binary16 definition, not
 * from lib/vm/f16.c: decoding builds the value from its fields, encoding
 * scales the magnitude to an integer significand and rounds half to even
 * with integer arithmetic.  The VM must agree with it everywhere except
 * the reference quirks lib/vm documents:
 *  - every NaN becomes 0x7E00 (the sign and payload are lost);
 *  - a subnormal whose rounding carries into 2^-14 saturates at 0x03FF
 *    instead of becoming the smallest normal 0x0400;
 *  - FDIV by zero divides by +inf (so a finite x gives a signed zero).
 * FADD/FSUB/FMUL/FDIV compute in double and round once to f16.  Since
 * 53 >= 2*11 + 2, double rounding is innocuous for these operations, so
 * the correctly rounded f16 result is the expected one.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"
#include "isa/isa_util.h"

/* --- the independent model ---------------------------------------------- */

static double model_decode(uint16_t h)
{
	int sign = h >> 15, exp = (h >> 10) & 0x1F, frac = h & 0x3FF;
	double mag;

	if (exp == 0x1F)
		return frac ? NAN : (sign ? -INFINITY : INFINITY);
	if (exp == 0)
		mag = frac * 0x1p-24;               /* subnormal: frac * 2^-24 */
	else
		mag = (1024 + frac) * 0x1p-25 * (double)(1u << exp);
	return sign ? -mag : mag;
}

/*
 * Round |v| to binary16, half to even.  The quantum (ulp) of a value in
 * [2^e, 2^(e+1)) is 2^(e-10), or 2^-24 below 2^-14; dividing by the
 * quantum is exact in double, so the rounding decision is made on an
 * exact integer part and fraction.
 */
static uint16_t model_encode(double v)
{
	uint16_t sign = signbit(v) ? 0x8000 : 0;
	double a = fabs(v), scaled, ip, frac;
	int e = -14;
	uint64_t q;

	if (isnan(v))
		return 0x7E00;
	if (isinf(a))
		return sign | 0x7C00;
	while (e < 16 && a >= ldexp(1.0, e + 1))
		e++;
	scaled = a / ldexp(1.0, e - 10);    /* exact: a power-of-two scale */
	frac = modf(scaled, &ip);
	q = (uint64_t)ip;
	if (frac > 0.5 || (frac == 0.5 && (q & 1)))
		q++;
	/* q is the significand in units of the quantum of binade e. */
	if (q >= 2048) {                     /* carried into the next binade */
		q >>= 1;
		e++;
	}
	if (e > 15)
		return sign | 0x7C00;
	if (q < 1024)                        /* subnormal (only when e == -14) */
		return sign | (uint16_t)q;
	return sign | (uint16_t)((e + 15) << 10) | (uint16_t)(q - 1024);
}

static int is_nan16(uint16_t h)
{
	return (h & 0x7C00) == 0x7C00 && (h & 0x3FF);
}

/* The model result with the documented reference quirks applied. */
static uint16_t expected(double exact)
{
	uint16_t m = model_encode(exact);

	if (is_nan16(m))
		return 0x7E00;
	if ((m & 0x7FFF) == 0x0400 && fabs(exact) < 0x1p-14)
		return (m & 0x8000) | 0x03FF;
	return m;
}

/* --- running the VM ------------------------------------------------------ */

static uint32_t vm_fop(int op, uint32_t rd, uint16_t a, uint16_t b)
{
	uint32_t prog[] = { I_RRR(op, 3, 1, 2), I_RET };
	struct hsx_vm_task *t = isa_task(prog, 2);
	uint32_t r;

	hsx_vm_set_reg(t, 1, 0xABCD0000u | a);
	hsx_vm_set_reg(t, 2, 0x12340000u | b);
	hsx_vm_set_reg(t, 3, rd);
	hsx_vm_run(t, 1);
	r = hsx_vm_reg(t, 3);
	hsx_vm_task_free(t);
	return r;
}

static double model_op(int op, uint16_t a, uint16_t b)
{
	double x = model_decode(a), y = model_decode(b);

	switch (op) {
	case HSX_OP_FADD: return x + y;
	case HSX_OP_FSUB: return x - y;
	case HSX_OP_FMUL: return x * y;
	default: return x / (y == 0.0 ? INFINITY : y);
	}
}

/* xorshift64*: deterministic, so a failure is reproducible. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint16_t rnd16(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint16_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 48);
}

/* --- tests ---------------------------------------------------------------- */

TEST(model_agrees_with_known_encodings)
{
	EXPECT_EQ(0x3C00, model_encode(1.0));
	EXPECT_EQ(0xC000, model_encode(-2.0));
	EXPECT_EQ(0x7BFF, model_encode(65504.0));
	EXPECT_EQ(0x7C00, model_encode(65520.0));  /* half-way rounds up: even */
	EXPECT_EQ(0x7BFF, model_encode(65519.99));
	EXPECT_EQ(0x0001, model_encode(0x1p-24));
	EXPECT_EQ(0x0000, model_encode(0x1p-25));  /* tie to even: 0 */
	EXPECT_EQ(0x0002, model_encode(0x1.8p-24)); /* 1.5 quanta -> 2 */
	EXPECT_EQ(0x3C00, model_encode(1.0 + 0x1p-11)); /* tie -> even */
	EXPECT_EQ(0x3C02, model_encode(1.0 + 0x3p-11)); /* tie -> even */
	EXPECT_EQ(1.0, model_decode(0x3C00));
	EXPECT_EQ(0x1p-24, model_decode(0x0001));
}

static int decode_ok(uint16_t h, double d)
{
	double m = model_decode(h);

	if (is_nan16(h))
		return isnan(d);
	return d == m && signbit(d) == signbit(m);
}

TEST(all_65536_round_trips)
{
	unsigned int h, bad = 0;

	for (h = 0; h < 0x10000; h++) {
		double d = hsx_vm_f16_to_double((uint16_t)h);
		uint16_t back = hsx_vm_f16_from_double(d);
		uint16_t want = is_nan16((uint16_t)h) ? 0x7E00 : (uint16_t)h;

		if (!decode_ok((uint16_t)h, d) && bad++ < 16)
			TH_LOG("decode 0x%04x -> %a", h, d);
		if (back != want && bad++ < 16)
			TH_LOG("0x%04x -> %a -> 0x%04x", h, d, back);
	}
	EXPECT_EQ(0, bad);
}

TEST(conversion_of_doubles_between_f16_values)
{
	unsigned int h, bad = 0;

	/* Midpoints and near-midpoints of every adjacent finite pair. */
	for (h = 0; h < 0x7BFF; h++) {
		double lo = model_decode((uint16_t)h), hi = model_decode(h + 1);
		double pts[3] = { (lo + hi) / 2, nextafter((lo + hi) / 2, 0),
				  nextafter((lo + hi) / 2, INFINITY) };
		int i;

		for (i = 0; i < 3; i++) {
			uint16_t got = hsx_vm_f16_from_double(pts[i]);
			uint16_t neg = hsx_vm_f16_from_double(-pts[i]);

			if ((got != expected(pts[i]) ||
			     neg != expected(-pts[i])) && bad++ < 16)
				TH_LOG("%a -> 0x%04x, model 0x%04x", pts[i], got,
				       expected(pts[i]));
		}
	}
	EXPECT_EQ(0, bad);
}

TEST(subnormal_rounding_and_the_0x03ff_quirk)
{
	/* Exact subnormals survive. */
	EXPECT_EQ(0x0001, hsx_vm_f16_from_double(0x1p-24));
	EXPECT_EQ(0x03FF, hsx_vm_f16_from_double(0x3FFp-24));
	EXPECT_EQ(0x8200, hsx_vm_f16_from_double(-0x200p-24));
	/* Below half the smallest subnormal: signed zero. */
	EXPECT_EQ(0x0000, hsx_vm_f16_from_double(0x1p-26));
	EXPECT_EQ(0x8000, hsx_vm_f16_from_double(-0x1p-26));
	/* Half-way between 0x3FF and 0x400: IEEE gives 0x0400 (even), the
	 * reference saturates at 0x03FF. */
	EXPECT_EQ(0x0400, model_encode(0x3FF.8p-24));
	EXPECT_EQ(0x03FF, hsx_vm_f16_from_double(0x3FF.8p-24));
	EXPECT_EQ(0x83FF, hsx_vm_f16_from_double(-0x3FF.8p-24));
	/* The smallest normal itself is not affected. */
	EXPECT_EQ(0x0400, hsx_vm_f16_from_double(0x1p-14));
}

TEST(infinities_nan_and_overflow)
{
	EXPECT_EQ(0x7C00, hsx_vm_f16_from_double(INFINITY));
	EXPECT_EQ(0xFC00, hsx_vm_f16_from_double(-INFINITY));
	EXPECT_EQ(0x7E00, hsx_vm_f16_from_double(NAN));
	EXPECT_EQ(0x7E00, hsx_vm_f16_from_double(-NAN));
	EXPECT_EQ(0x7C00, hsx_vm_f16_from_double(1e6));
	EXPECT_EQ(0xFC00, hsx_vm_f16_from_double(-65520.0));
	EXPECT_EQ(0x7BFF, hsx_vm_f16_from_double(65519.0));
	EXPECT_TRUE(isnan(hsx_vm_f16_to_double(0x7C01)));
	EXPECT_TRUE(isnan(hsx_vm_f16_to_double(0xFE00)));
	EXPECT_TRUE(isinf(hsx_vm_f16_to_double(0xFC00)));
}

TEST(random_arithmetic_matches_the_model)
{
	static const int ops[] = { HSX_OP_FADD, HSX_OP_FSUB, HSX_OP_FMUL,
				   HSX_OP_FDIV };
	unsigned int i, k, bad = 0;

	for (k = 0; k < 4; k++)
		for (i = 0; i < 20000; i++) {
			uint16_t a = rnd16(), b = rnd16();
			uint32_t got = vm_fop(ops[k], 0x5A5A0000u, a, b);
			uint16_t want = expected(model_op(ops[k], a, b));

			if ((got >> 16) != 0x5A5A || (uint16_t)got != want) {
				if (bad++ < 16)
					TH_LOG("op %02x 0x%04x 0x%04x: 0x%08x, "
					       "model 0x%04x", ops[k], a, b, got,
					       want);
			}
		}
	EXPECT_EQ(0, bad);
}

TEST(arithmetic_edge_cases)
{
	/* 1 + 2^-11 is a tie: rounds to even 1.0. */
	EXPECT_EQ(0x3C00, (uint16_t)vm_fop(HSX_OP_FADD, 0, 0x3C00, 0x1000));
	/* inf - inf and 0 * inf are NaN -> 0x7E00. */
	EXPECT_EQ(0x7E00, (uint16_t)vm_fop(HSX_OP_FSUB, 0, 0x7C00, 0x7C00));
	EXPECT_EQ(0x7E00, (uint16_t)vm_fop(HSX_OP_FMUL, 0, 0x0000, 0x7C00));
	/* A NaN operand propagates as the canonical 0x7E00. */
	EXPECT_EQ(0x7E00, (uint16_t)vm_fop(HSX_OP_FADD, 0, 0xFD55, 0x3C00));
	/* Overflow to infinity. */
	EXPECT_EQ(0x7C00, (uint16_t)vm_fop(HSX_OP_FMUL, 0, 0x7BFF, 0x4000));
	EXPECT_EQ(0xFC00, (uint16_t)vm_fop(HSX_OP_FADD, 0, 0xFBFF, 0xFBFF));
	/* Subnormal products and the saturation quirk: 2^-14 * (1 - 2^-11)
	 * rounds to the 0x3FF/0x400 midpoint region. */
	EXPECT_EQ(0x0001, (uint16_t)vm_fop(HSX_OP_FMUL, 0, 0x0400, 0x1400));
	EXPECT_EQ(0x03FF, (uint16_t)vm_fop(HSX_OP_FMUL, 0, 0x0400, 0x3BFF));
	/* FDIV by zero divides by +inf: signed zero, or NaN for inf / 0. */
	EXPECT_EQ(0x0000, (uint16_t)vm_fop(HSX_OP_FDIV, 0, 0x3C00, 0x0000));
	EXPECT_EQ(0x8000, (uint16_t)vm_fop(HSX_OP_FDIV, 0, 0xBC00, 0x8000));
	EXPECT_EQ(0x7E00, (uint16_t)vm_fop(HSX_OP_FDIV, 0, 0x7C00, 0x0000));
	/* Upper half of rd is kept. */
	EXPECT_EQ(0xDEAD3E00u, vm_fop(HSX_OP_FADD, 0xDEAD0000u, 0x3C00, 0x3800));
}

TEST(i2f_rounds_and_saturates_f2i_truncates)
{
	uint32_t prog[] = { ENC(HSX_OP_I2F, 3, 1, 0, 0), ENC(HSX_OP_F2I, 4, 2, 0, 0),
			    I_RET };
	static const struct { int32_t i; uint16_t f; } i2f[] = {
		{ 0, 0x0000 }, { 1, 0x3C00 }, { -1, 0xBC00 }, { 2049, 0x6800 },
		{ 2051, 0x6802 }, { 65504, 0x7BFF }, { 65520, 0x7C00 },
		{ INT32_MIN, 0xFC00 },
	};
	static const struct { uint16_t f; int32_t i; } f2i[] = {
		{ 0x3E00, 1 }, { 0xBE00, -1 }, { 0x7BFF, 65504 }, { 0x0001, 0 },
		{ 0x7E00, 0 }, { 0x7C00, INT32_MAX }, { 0xFC00, INT32_MIN },
	};
	size_t i;

	for (i = 0; i < sizeof(i2f) / sizeof(i2f[0]); i++) {
		struct hsx_vm_task *t = isa_task(prog, 3);

		hsx_vm_set_reg(t, 1, (uint32_t)i2f[i].i);
		hsx_vm_set_reg(t, 3, 0xCAFE0000u);
		hsx_vm_run(t, 1);
		EXPECT_EQ(0xCAFE0000u | i2f[i].f, hsx_vm_reg(t, 3))
			TH_LOG("I2F %d", i2f[i].i);
		EXPECT_EQ(i2f[i].f, model_encode((double)i2f[i].i));
		hsx_vm_task_free(t);
	}
	for (i = 0; i < sizeof(f2i) / sizeof(f2i[0]); i++) {
		struct hsx_vm_task *t = isa_task(prog, 3);

		hsx_vm_set_reg(t, 2, 0xFFFF0000u | f2i[i].f);
		hsx_vm_run(t, 2);
		EXPECT_EQ((uint32_t)f2i[i].i, hsx_vm_reg(t, 4))
			TH_LOG("F2I 0x%04x", f2i[i].f);
		hsx_vm_task_free(t);
	}
}

TEST_HARNESS_MAIN
