/*
 * test_sha256.c - unit tests of the incremental, savable SHA-256.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/sha256.h"
#include "mm_test.h"

static uint64_t rng_state = 0x0123456789ABCDEFull;

/* xorshift64*: deterministic test data. */
static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t) ((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* Formats a digest as lower-case hex into hex[65]. */
static void
to_hex(const uint8_t d[32], char hex[65])
{
	int			i;

	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

/* Checks the one-shot digest of data against a hex string. */
static void
check_vector(const void *data, size_t len, const char *want, const char *what)
{
	uint8_t		d[32];
	char		hex[65];

	mm_sha256(data, len, d);
	to_hex(d, hex);
	MM_CHECK(strcmp(hex, want) == 0, "%s [%s]: %s", what, mm_sha256_impl(), hex);
}

/* The FIPS 180-2 / NIST example vectors. */
static void
test_vectors(void)
{
	static const char m448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char m896[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	char	   *million = malloc(1000000);
	mm_sha256	ctx;
	uint8_t		d[32];
	char		hex[65];
	int			i;

	check_vector("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty");
	check_vector("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc");
	check_vector(m448, strlen(m448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "448-bit message");
	check_vector(m896, strlen(m896), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1", "896-bit message");
	memset(million, 'a', 1000000);
	check_vector(million, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "one million 'a'");

	/* the same million in 1000 updates of 1000 */
	mm_sha256_init(&ctx);
	for (i = 0; i < 1000; i++)
		mm_sha256_update(&ctx, million, 1000);
	mm_sha256_final(&ctx, d);
	to_hex(d, hex);
	MM_CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
			 "one million 'a' in 1000-byte updates");
	free(million);
}

/* Updates in odd-sized pieces (including empty ones) equal the one-shot digest. */
static void
test_incremental(void)
{
	static const size_t pieces[] = {0, 1, 63, 64, 65, 7, 127, 128, 0, 3, 200, 31, 33, 1000};
	size_t		total = 0;
	uint8_t    *data;
	uint8_t		one[32];
	uint8_t		inc[32];
	mm_sha256	ctx;
	size_t		i;
	size_t		off = 0;

	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
		total += pieces[i];
	data = malloc(total);
	for (i = 0; i < total; i++)
		data[i] = (uint8_t) rng();
	mm_sha256(data, total, one);
	mm_sha256_init(&ctx);
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
	{
		mm_sha256_update(&ctx, data + off, pieces[i]);
		off += pieces[i];
	}
	mm_sha256_final(&ctx, inc);
	MM_CHECK(memcmp(one, inc, 32) == 0, "odd-sized updates equal the one-shot digest");

	/* byte by byte */
	mm_sha256_init(&ctx);
	for (i = 0; i < total; i++)
		mm_sha256_update(&ctx, data + i, 1);
	mm_sha256_final(&ctx, inc);
	MM_CHECK(memcmp(one, inc, 32) == 0, "byte-by-byte updates equal the one-shot digest");
	free(data);
}

/* Saving at every cut point of a message and continuing equals one pass. */
static void
test_save_load(void)
{
	uint8_t		data[300];
	uint8_t		want[32];
	uint8_t		got[32];
	uint8_t		state[MM_SHA256_STATE_LEN];
	uint8_t		state2[MM_SHA256_STATE_LEN];
	mm_sha256	ctx;
	mm_sha256	ctx2;
	size_t		cut;
	int			bad = 0;
	int			same_bytes = 1;

	for (cut = 0; cut < sizeof(data); cut++)
		data[cut] = (uint8_t) rng();
	mm_sha256(data, sizeof(data), want);

	for (cut = 0; cut <= sizeof(data); cut++)
	{
		mm_sha256_init(&ctx);
		mm_sha256_update(&ctx, data, cut);
		mm_sha256_save(&ctx, state);
		memset(&ctx2, 0xA5, sizeof(ctx2));
		if (mm_sha256_load(&ctx2, state, sizeof(state)) != 0)
			bad = 1;
		mm_sha256_save(&ctx2, state2);
		if (memcmp(state, state2, sizeof(state)) != 0)
			same_bytes = 0;
		mm_sha256_update(&ctx2, data + cut, sizeof(data) - cut);
		mm_sha256_final(&ctx2, got);
		if (memcmp(got, want, 32) != 0)
			bad = 1;
	}
	MM_CHECK(!bad, "save/load at each of 301 cut points, then continue, equals one pass");
	MM_CHECK(same_bytes, "a loaded state saves to the same bytes");
	MM_CHECK(MM_SHA256_STATE_LEN == 108, "saved state is 108 bytes");

	mm_sha256_init(&ctx);
	mm_sha256_update(&ctx, "abc", 3);
	mm_sha256_save(&ctx, state);
	MM_CHECK(memcmp(state, "MMS1", 4) == 0, "state starts with MMS1");
	MM_CHECK(state[43] == 3 && state[36] == 0 && state[44] == 'a' && state[47] == 0,
			 "total is big-endian at 36, pending bytes at 44, rest zeroed");
	MM_CHECK(state[4] == 0x6a && state[5] == 0x09, "h[0] is big-endian at 4");

	MM_CHECK(mm_sha256_load(&ctx2, state, sizeof(state) - 1) == -1, "load rejects a short state");
	MM_CHECK(mm_sha256_load(&ctx2, state, 0) == -1, "load rejects an empty state");
	{
		uint8_t		longer[MM_SHA256_STATE_LEN + 1];

		memcpy(longer, state, sizeof(state));
		longer[MM_SHA256_STATE_LEN] = 0;
		MM_CHECK(mm_sha256_load(&ctx2, longer, sizeof(longer)) == -1, "load rejects a long state");
	}
	state[3] = '2';
	MM_CHECK(mm_sha256_load(&ctx2, state, sizeof(state)) == -1, "load rejects a bad magic");
	MM_CHECK(mm_sha256_load(&ctx2, NULL, MM_SHA256_STATE_LEN) == -1, "load rejects NULL");
}

/* The portable and SHA-NI code agree on random data of many lengths. */
static void
test_impls_agree(void)
{
	uint8_t    *data = malloc(5000);
	size_t		len;
	int			bad = 0;
	int			i;
	const char *native;

	mm_sha256_force_portable(0);
	native = mm_sha256_impl();
	for (i = 0; i < 5000; i++)
		data[i] = (uint8_t) rng();
	for (len = 0; len <= 5000; len += (len < 300 ? 1 : 97))
	{
		uint8_t		a[32];
		uint8_t		b[32];

		mm_sha256_force_portable(0);
		mm_sha256(data, len, a);
		mm_sha256_force_portable(1);
		mm_sha256(data, len, b);
		if (memcmp(a, b, 32) != 0)
			bad = 1;
	}
	mm_sha256_force_portable(0);
	MM_CHECK(!bad, "%s and portable agree on lengths 0..5000", native);
	MM_CHECK(strcmp(native, "sha-ni") == 0 || strcmp(native, "portable") == 0,
			 "impl is named (%s)", native);
	mm_sha256_force_portable(1);
	MM_CHECK(strcmp(mm_sha256_impl(), "portable") == 0, "force_portable switches the impl");
	mm_sha256_force_portable(0);
	free(data);
}

int
main(void)
{
	test_vectors();
	mm_sha256_force_portable(1);
	test_vectors();
	mm_sha256_force_portable(0);
	test_incremental();
	test_save_load();
	test_impls_agree();
	return mm_test_done();
}
