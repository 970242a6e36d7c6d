/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * One output path for text and JSON. A struct out buffers bytes for a file
 * descriptor; in JSON mode the em_* calls produce the same bytes as bpftool's
 * json_writer when o->bpftool (dump), standard JSON escapes otherwise
 * (compact or pretty); in text mode they produce "key=value"
 * fields separated by spaces, with list items on their own "\n\t" lines.
 * Printers call em_* only, so each printer serves both formats.
 */
#ifndef BTFC_OUT_H
#define BTFC_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The library's static archive is linked into programs: its symbols carry
 * the library's internal prefix (btfci_out_init), the sources keep the short names.
 */
#define em_b btfci_em_b
#define em_i btfci_em_i
#define em_item_begin btfci_em_item_begin
#define em_item_end btfci_em_item_end
#define em_list_begin btfci_em_list_begin
#define em_list_end btfci_em_list_end
#define em_obj_begin btfci_em_obj_begin
#define em_obj_end btfci_em_obj_end
#define em_quoted btfci_em_quoted
#define em_s btfci_em_s
#define em_text btfci_em_text
#define em_u btfci_em_u
#define out_flush btfci_out_flush
#define out_i64 btfci_out_i64
#define out_init btfci_out_init
#define out_message btfci_out_message
#define out_name btfci_out_name
#define out_printf btfci_out_printf
#define out_raw_slow btfci_out_raw_slow
#define out_u64 btfci_out_u64

enum out_mode { OUT_TEXT, OUT_JSON, OUT_JSON_PRETTY };

struct out {
	int fd;
	int err; /* first write error (negative errno) */
	enum out_mode mode;
	size_t len;
	unsigned depth; /* JSON nesting */
	char sep; /* JSON: ',' when the current container has an element */
	bool text_first; /* TEXT: next field starts a line/item (no leading space) */
	bool bpftool; /* dump: bpftool 7.1's bytes (its JSON escapes, names unescaped in text) */
	bool color; /* TEXT: the CLI may colour outcome words (--color, NO_COLOR) */
	char buf[1 << 16];
};

void out_init(struct out *o, int fd, enum out_mode mode);
/* Write out what is buffered; returns o->err. */
int out_flush(struct out *o);

/* The buffer's slow path: flush, and write what does not fit in pieces. */
void out_raw_slow(struct out *o, const char *s, size_t n);
/*
 * Append @n bytes. Inline: the dump's hot path is one copy into the buffer per
 * field, and a call per field (through the PLT in a shared library) cost more than the copy.
 */
static inline void out_raw(struct out *o, const char *s, size_t n)
{
	if (__builtin_expect(o->len + n > sizeof(o->buf), 0)) {
		out_raw_slow(o, s, n);
		return;
	}
	__builtin_memcpy(o->buf + o->len, s, n);
	o->len += n;
}
static inline void out_str(struct out *o, const char *s) { out_raw(o, s, __builtin_strlen(s)); }
/*
 * A string from outside (a file name, a name from BTF): in TEXT mode with
 * control characters written as \xNN, so that it cannot start a line of its
 * own or send terminal escapes; unchanged when o->bpftool.
 */
void out_name(struct out *o, const char *s);
/* A message (the kernel's log lines, which hold tabs): as out_name, tabs kept. */
void out_message(struct out *o, const char *s);
void out_u64(struct out *o, uint64_t v);
void out_i64(struct out *o, int64_t v);
void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- emitter ---- */
static inline bool em_json(const struct out *o) { return o->mode != OUT_TEXT; }
/* JSON '{' / TEXT: start of a record line. */
void em_obj_begin(struct out *o);
/* JSON '}' / TEXT: "\n" when @line_end. */
void em_obj_end(struct out *o, bool line_end);
/* JSON "key":[ (just [ when @key is NULL) / TEXT nothing. */
void em_list_begin(struct out *o, const char *key);
void em_list_end(struct out *o);
/* JSON '{' / TEXT "\n\t" (an item on its own indented line). */
void em_item_begin(struct out *o);
void em_item_end(struct out *o);
/* Fields: JSON "key":value / TEXT [ ]key=value. */
void em_u(struct out *o, const char *key, uint64_t v);
void em_i(struct out *o, const char *key, int64_t v);
/* JSON "key":true|false / TEXT [ ]key=yes|no. */
void em_b(struct out *o, const char *key, bool v);
void em_s(struct out *o, const char *key, const char *v);
/* A name: JSON "key":"v" / TEXT [ ]'v'. */
void em_quoted(struct out *o, const char *key, const char *v);
/* Text-only decoration (ignored in JSON). */
void em_text(struct out *o, const char *s);

#endif
