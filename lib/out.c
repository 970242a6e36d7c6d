// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Buffered output and the text/JSON emitter (see out.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "out.h"

void out_init(struct out *o, int fd, enum out_mode mode)
{
	o->fd = fd;
	o->err = 0;
	o->mode = mode;
	o->len = 0;
	o->depth = 0;
	o->sep = 0;
	o->text_first = true;
	o->bpftool = false;
}

int out_flush(struct out *o)
{
	size_t done = 0;

	while (done < o->len && !o->err) {
		ssize_t r = write(o->fd, o->buf + done, o->len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			o->err = r < 0 ? -errno : -EIO;
		else
			done += r;
	}
	o->len = 0;
	return o->err;
}

void out_raw_slow(struct out *o, const char *s, size_t n)
{
	out_flush(o);
	if (n > sizeof(o->buf)) {
		o->len = 0;
		while (n > sizeof(o->buf)) { /* longer than the buffer: write in pieces */
			memcpy(o->buf, s, sizeof(o->buf));
			o->len = sizeof(o->buf);
			out_flush(o);
			s += sizeof(o->buf);
			n -= sizeof(o->buf);
		}
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void out_ch(struct out *o, char c)
{
	if (o->len == sizeof(o->buf))
		out_flush(o);
	o->buf[o->len++] = c;
}

void out_u64(struct out *o, uint64_t v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	out_raw(o, tmp + i, sizeof(tmp) - i);
}

void out_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		out_ch(o, '-');
		out_u64(o, -(uint64_t)v);
	} else {
		out_u64(o, v);
	}
}

void out_printf(struct out *o, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	size_t len = (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1;
	if (o->mode != OUT_TEXT || o->bpftool) {
		out_raw(o, tmp, len);
		return;
	}
	/* text for a terminal: no control character but the format's newlines and tabs (no escape sequences) */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = tmp[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			char hex[5];
			snprintf(hex, sizeof(hex), "\\x%02x", c);
			out_raw(o, hex, 4);
		} else {
			out_ch(o, (char)c);
		}
	}
}

/* ---- JSON, as Debian's bpftool 7.1 json_writer.c writes it (its escapes included) ---- */

static void jw_eol(struct out *o)
{
	if (o->mode != OUT_JSON_PRETTY)
		return;
	out_ch(o, '\n');
	for (unsigned i = 0; i < o->depth; i++)
		out_raw(o, "    ", 4);
}

static void jw_eor(struct out *o)
{
	if (o->sep)
		out_ch(o, o->sep);
	o->sep = ',';
}

/* Length of the valid UTF-8 sequence at @s (1-4), or 0 if it is not one. */
static int utf8_len(const unsigned char *s)
{
	int n = s[0] < 0x80                           ? 1 :
		(s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2 ? 2 :
		(s[0] & 0xf0) == 0xe0                 ? 3 :
		(s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4 ? 4 :
							0;

	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0; /* overlong, surrogate, beyond U+10FFFF */
	return n;
}

/* RFC 8259: '"' and '\\' escaped, control characters as \uXXXX; bytes that are not UTF-8 as \u00XX. */
static void jw_puts_std(struct out *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	out_ch(o, '"');
	while (*s) {
		int n = utf8_len(s);
		if (*s == '"' || *s == '\\') {
			out_ch(o, '\\');
			out_ch(o, *s);
		} else if (*s < 0x20 || *s == 0x7f || !n) {
			out_printf(o, "\\u%04x", *s);
			n = 1;
		} else {
			out_raw(o, (const char *)s, n);
		}
		s += n ? n : 1;
	}
	out_ch(o, '"');
}

static void jw_puts(struct out *o, const char *s)
{
	if (!o->bpftool) {
		jw_puts_std(o, s);
		return;
	}
	out_ch(o, '"');
	for (; *s; s++) {
		switch (*s) {
		case '\t':
			out_raw(o, "\\t", 2);
			break;
		case '\n':
			out_raw(o, "\\n", 2);
			break;
		case '\r':
			out_raw(o, "\\r", 2);
			break;
		case '\f':
			out_raw(o, "\\f", 2);
			break;
		case '\b':
			out_raw(o, "\\b", 2);
			break;
		case '\\':
			out_raw(o, "\\n", 2);
			break; /* sic: bpftool writes a backslash as \n */
		case '"':
			out_raw(o, "\\\"", 2);
			break;
		default:
			out_ch(o, *s);
		}
	}
	out_ch(o, '"');
}

static void jw_begin(struct out *o, char c)
{
	jw_eor(o);
	out_ch(o, c);
	o->depth++;
	o->sep = 0;
}

static void jw_end(struct out *o, char c)
{
	o->depth--;
	if (o->sep)
		jw_eol(o);
	out_ch(o, c);
	o->sep = ',';
}

static void jw_name(struct out *o, const char *name)
{
	jw_eor(o);
	jw_eol(o);
	o->sep = 0;
	jw_puts(o, name);
	out_ch(o, ':');
	if (o->mode == OUT_JSON_PRETTY)
		out_ch(o, ' ');
}

static void out_escaped(struct out *o, const char *s, bool tabs)
{
	if (o->bpftool) {
		out_str(o, s);
		return;
	}
	for (; *s; s++) {
		unsigned char c = *s;
		if ((c < 0x20 && !(tabs && c == '\t')) || c == 0x7f)
			out_printf(o, "\\x%02x", c);
		else if (c ==
			 '\\') /* so that a real control character and the text \x0a print differently */
			out_raw(o, "\\\\", 2);
		else
			out_ch(o, *s);
	}
}

void out_name(struct out *o, const char *s) { out_escaped(o, s, false); }

void out_message(struct out *o, const char *s) { out_escaped(o, s, true); }

/* ---- emitter ---- */

static void text_key(struct out *o, const char *key)
{
	if (!o->text_first)
		out_ch(o, ' ');
	o->text_first = false;
	if (key) {
		out_str(o, key);
		out_ch(o, '=');
	}
}

void em_obj_begin(struct out *o)
{
	if (em_json(o))
		jw_begin(o, '{');
	else
		o->text_first = true;
}

void em_obj_end(struct out *o, bool line_end)
{
	if (em_json(o))
		jw_end(o, '}');
	else if (line_end)
		out_ch(o, '\n');
}

void em_list_begin(struct out *o, const char *key)
{
	if (em_json(o)) {
		if (key)
			jw_name(o, key);
		jw_begin(o, '[');
	}
}

void em_list_end(struct out *o)
{
	if (em_json(o))
		jw_end(o, ']');
}

void em_item_begin(struct out *o)
{
	if (em_json(o)) {
		jw_begin(o, '{');
	} else {
		out_raw(o, "\n\t", 2);
		o->text_first = true;
	}
}

void em_item_end(struct out *o)
{
	if (em_json(o))
		jw_end(o, '}');
}

void em_u(struct out *o, const char *key, uint64_t v)
{
	if (em_json(o)) {
		jw_name(o, key);
		jw_eor(o);
	} else {
		text_key(o, key);
	}
	out_u64(o, v);
}

void em_i(struct out *o, const char *key, int64_t v)
{
	if (em_json(o)) {
		jw_name(o, key);
		jw_eor(o);
	} else {
		text_key(o, key);
	}
	out_i64(o, v);
}

void em_b(struct out *o, const char *key, bool v)
{
	if (em_json(o)) {
		jw_name(o, key);
		jw_eor(o);
		out_str(o, v ? "true" : "false");
	} else {
		text_key(o, key);
		out_str(o, v ? "yes" : "no");
	}
}

void em_s(struct out *o, const char *key, const char *v)
{
	if (em_json(o)) {
		jw_name(o, key);
		jw_puts(o, v);
		o->sep = ',';
	} else {
		text_key(o, key);
		out_name(o, v);
	}
}

void em_quoted(struct out *o, const char *key, const char *v)
{
	if (em_json(o)) {
		em_s(o, key, v);
	} else {
		text_key(o, NULL);
		out_ch(o, '\'');
		out_name(o, v);
		out_ch(o, '\'');
	}
}

void em_text(struct out *o, const char *s)
{
	if (!em_json(o))
		out_str(o, s);
}
