// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Oracle test: btfcompat's bpf-profile validator against the running kernel's
 * bpf(BPF_BTF_LOAD) on a mutation corpus derived from real BTF.
 *
 *   validate_oracle [-n CASES] [-s SEED] [-B BASE] [-v] SOURCE...
 *   validate_oracle -x [-B BASE] [-v] SOURCE...   no mutation: each source as it is (split BTF
 *                                                flattened onto BASE for the kernel)
 *
 * Each SOURCE (any form btfc_btf_open() takes; split BTF is flattened onto
 * -B BASE) is mutated CASES times (flipped bits, changed kinds, vlen, sizes,
 * offsets, type ids, string offsets, header fields); every mutant goes to the
 * kernel (no log first; with a 256 MiB log only after a failure) and to
 * btfc_validate(). Prints PASS/FAIL lines for verdict and message agreement,
 * the figures, and every disagreement (-v: also every case). SKIPs when bpf()
 * is not permitted.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "btfcompat/btfcompat.h"
#include "../unit/testutil.h"
#include "kernel_btf_load.h"

/* The running kernel's rules and byte order: it is the oracle. */
static struct btfc_validate_opts running_kernel(void)
{
	BTFC_OPTS(btfc_validate_opts, o, .profile = BTFC_PROFILE_BPF);
	struct utsname u;
	unsigned maj, min;

	if (!uname(&u) && sscanf(u.release, "%u.%u", &maj, &min) == 2)
		o.kernel = maj << 16 | min << 8;
	o.order = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? BTFC_ORDER_BIG : BTFC_ORDER_LITTLE;
	return o;
}

static uint64_t rng_state = 88172645463325252ull;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}
static uint32_t rnd_below(uint32_t n) { return n ? rnd() % n : 0; }

struct corpus {
	uint8_t *blob;
	size_t len;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint32_t *offs; /* byte offset of each type record in the type section */
	uint32_t nr;
};

static const char *mutate(const struct corpus *c, uint8_t *b)
{
	uint8_t *types = b + c->hdr_len + c->type_off;
	uint32_t rec = c->offs[rnd_below(c->nr)];
	uint32_t *w = (uint32_t *)(void *)(types + rec);
	unsigned kind = (w[1] >> 24) & 0x1f, vlen = w[1] & 0xffff;

	switch (rnd_below(12)) {
	case 0: b[rnd_below(24)] ^= 1u << rnd_below(8); return "header-bit";
	case 1: {
		uint32_t i = 1 + rnd_below(5), v = rnd_below(4) ? c->len - 24 + rnd_below(9) - 4 : rnd();
		memcpy(b + 4 * i, &v, 4);
		return "header-field";
	}
	case 2: types[rnd_below(c->type_len)] ^= 1u << rnd_below(8); return "type-bit";
	case 3: w[1] = (w[1] & ~(0x1fu << 24)) | (rnd_below(21) << 24); return "kind";
	case 4: w[1] = (w[1] & ~0xffffu) | (rnd_below(3) ? vlen + rnd_below(3) - 1 : rnd_below(0x10000)); return "vlen";
	case 5: w[2] = rnd_below(2) ? w[2] + rnd_below(17) - 8 : rnd(); return "size-or-type";
	case 6: w[2] = rnd_below(c->nr + 16); return "type-id";
	case 7: w[0] = rnd_below(c->str_len + 16); return "name-off";
	case 8: w[1] ^= 1u << 31; return "kflag";
	case 9: /* a field of the trailing data: member/param/enum/array words */
		if (vlen || kind == 3 || kind == 1 || kind == 14 || kind == 17) {
			uint32_t *d = w + 3 + rnd_below(vlen ? 3 * (vlen > 8 ? 8 : vlen) : 1);
			if ((uint8_t *)(d + 1) <= types + c->type_len)
				*d = rnd_below(2) ? *d + rnd_below(9) - 4 : rnd_below(c->nr + 16);
		}
		return "kind-data";
	case 10: b[c->hdr_len + c->str_off + rnd_below(c->str_len)] = "\0.x9_-\x7f\xe9 "[rnd_below(9)]; return "string-byte";
	default: w[2] = rnd_below(2) ? 0 : rnd_below(c->nr + 16); return "type-zero-or-id";
	}
}

static int load_corpus(struct btfc_ctx *ctx, const char *src, const struct btfc_btf *base, struct corpus *c)
{
	struct btfc_btf *btf;
	void *blob;
	size_t len;

	if (btfc_btf_open(ctx, src, base, &btf))
		return -1;
	if (btfc_btf_flatten(btf, &blob, &len)) {
		btfc_btf_free(btf);
		return -1;
	}
	btfc_btf_free(btf);
	/* re-parse the flat blob to index its records */
	if (btfc_btf_parse(ctx, blob, len, src, NULL, &btf)) {
		free(blob);
		return -1;
	}
	const struct btfc_header *h = btfc_btf_header(btf);
	*c = (struct corpus){ .blob = blob, .len = len, .hdr_len = h->hdr_len, .type_off = h->type_off,
			      .type_len = h->type_len, .str_off = h->str_off, .str_len = h->str_len };
	c->nr = btfc_btf_type_cnt(btf) - 1;
	c->offs = malloc(c->nr * sizeof(*c->offs));
	size_t tl;
	const uint8_t *types = btfc_btf_types_raw(btf, &tl);
	for (uint32_t i = 0; i < c->nr; i++)
		c->offs[i] = (const uint8_t *)btfc_btf_type_by_id(btf, i + 1) - types;
	btfc_btf_free(btf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned cases = 1000, verbose = 0, as_is = 0;
	const char *base_path = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:B:vx")) != -1) {
		if (opt == 'n')
			cases = strtoul(optarg, NULL, 0);
		else if (opt == 's')
			rng_state = strtoull(optarg, NULL, 0) * 2654435761u + 1;
		else if (opt == 'B')
			base_path = optarg;
		else if (opt == 'v')
			verbose = 1;
		else if (opt == 'x')
			as_is = 1;
	}
	if (!kbl_available()) {
		tu_skip("oracle/bpf", "bpf(BPF_BTF_LOAD) not permitted here (needs root / CAP_BPF)");
		return 0;
	}
	struct btfc_ctx *ctx = btfc_ctx_new();
	struct btfc_btf *base = NULL;
	if (base_path && btfc_btf_open(ctx, base_path, NULL, &base)) {
		tu_fail("oracle/bpf/base", "%s", btfc_ctx_last_error(ctx));
		return tu_exit();
	}
	static char logbuf[256u << 20];
	if (as_is) { /* each source unchanged: flattened for the kernel, split (fast path) for us */
		unsigned n = 0, same = 0, rejected = 0;
		for (int a = optind; a < argc; a++) {
			struct btfc_btf *btf;
			void *raw, *flat;
			size_t rlen, flen;
			if (btfc_read_raw(ctx, argv[a], &raw, &rlen, NULL) || btfc_btf_open(ctx, argv[a], base, &btf)) {
				tu_fail("oracle/bpf/as-is", "%s", btfc_ctx_last_error(ctx));
				continue;
			}
			if (base) {
				btfc_btf_flatten(btf, &flat, &flen);
			} else { /* standalone: the kernel gets the very bytes (a 7.x header and layout too) */
				flat = malloc(rlen);
				memcpy(flat, raw, rlen);
				flen = rlen;
			}
			btfc_btf_free(btf);
			char last[1024] = "", prev[1024] = "";
			int kerr = kbl_load(flat, flen);
			if (kerr)
				kbl_load_log(flat, flen, logbuf, sizeof(logbuf), last, prev, sizeof(last));
			BTFC_OPTS(btfc_verdict, v);
			struct btfc_validate_opts o = running_kernel();
			btfc_validate(ctx, raw, rlen, base, &o, &v);
			bool ok = v.err == kerr && (!kerr || !strcmp(last, v.msg));
			n++;
			same += ok;
			rejected += kerr != 0;
			if (!ok || verbose)
				printf("%s %s: kernel %d \"%s\" | btfcompat %d \"%s\"\n", ok ? "same" : "DISAGREE", argv[a],
				       kerr, last, v.err, v.msg);
			btfc_verdict_release(&v);
			free(raw);
			free(flat);
		}
		printf("%u sources, %u rejected by the kernel; verdict and message agree on %u/%u\n", n, rejected, same, n);
		TU_CHECK("oracle/bpf/as-is", n && same == n, "%u of %u disagree", n - same, n);
		btfc_btf_free(base);
		btfc_ctx_free(ctx);
		return tu_exit();
	}
	for (int a = optind; a < argc; a++) {
		struct corpus c;
		char name[256];
		if (load_corpus(ctx, argv[a], base, &c)) {
			snprintf(name, sizeof(name), "oracle/bpf/%s", argv[a]);
			tu_fail(name, "cannot read: %s", btfc_ctx_last_error(ctx));
			continue;
		}
		uint8_t *m = malloc(c.len);
		unsigned same_verdict = 0, same_msg = 0, rejected = 0, shown = 0;
		for (unsigned i = 0; i < cases; i++) {
			memcpy(m, c.blob, c.len);
			const char *what = mutate(&c, m);
			if (rnd_below(4) == 0)
				mutate(&c, m); /* a quarter of the cases carry two mutations */
			char last[1024] = "", prev[1024] = "";
			int kerr = kbl_load(m, c.len);
			if (kerr)
				kbl_load_log(m, c.len, logbuf, sizeof(logbuf), last, prev, sizeof(last));
			BTFC_OPTS(btfc_verdict, v);
			struct btfc_validate_opts o = running_kernel();
			if (btfc_validate(ctx, m, c.len, NULL, &o, &v)) {
				tu_fail("oracle/bpf/internal", "%s", btfc_ctx_last_error(ctx));
				break;
			}
			bool sv = v.err == kerr, sm = sv && (!kerr || !strcmp(last, v.msg));
			same_verdict += sv;
			same_msg += sm;
			rejected += kerr != 0;
			if ((!sm && shown++ < 40) || verbose)
				printf("%s case %u (%s): kernel %d \"%s\" | btfcompat %d \"%s\"%s%s\n",
				       sm ? "same" : "DISAGREE", i, what, kerr, last, v.err, v.msg,
				       v.note[0] ? " note: " : "", v.note);
			btfc_verdict_release(&v);
		}
		printf("%s: %u mutants, %u rejected by the kernel; verdict agrees %u/%u (%.2f%%), "
		       "message agrees %u/%u (%.2f%%)\n", argv[a], cases, rejected, same_verdict, cases,
		       100.0 * same_verdict / cases, same_msg, cases, 100.0 * same_msg / cases);
		snprintf(name, sizeof(name), "oracle/bpf/verdict/%s", argv[a]);
		TU_CHECK(name, same_verdict == cases, "%u of %u verdicts differ", cases - same_verdict, cases);
		snprintf(name, sizeof(name), "oracle/bpf/message/%s", argv[a]);
		TU_CHECK(name, same_msg * 100ull >= cases * 99ull, "only %u of %u messages agree", same_msg, cases);
		free(m);
		free(c.blob);
		free(c.offs);
	}
	btfc_btf_free(base);
	btfc_ctx_free(ctx);
	return tu_exit();
}
