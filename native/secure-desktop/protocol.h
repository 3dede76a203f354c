/*
 * The pipe protocol between flxra's secure-desktop helper and the agent, the C side
 * (docs/secure-desktop.md; the TypeScript side is src/platform/secure-desktop/pipe-codec.ts and
 * must say the same). Every message: a header of u32 body length, u16 type, u16 request id
 * (little-endian), then the body. Replies carry their request's id; events carry 0.
 */
#ifndef FLXRA_PROTOCOL_H
#define FLXRA_PROTOCOL_H
#include <stdint.h>

#define FLXRA_PROTOCOL_VERSION 1
#define FLXRA_HELPER_VERSION "1.0.0"
#define FLXRA_PIPE_SDDL L"D:P(A;;GA;;;SY)"
#define FLXRA_DESKTOP_POLL_MS 250

#define FLXRA_HEADER_BYTES 8
#define FLXRA_MAX_REQUEST_BODY 64
#define FLXRA_MAX_HELPER_BODY (64u << 20)

/* helper -> agent */
#define FLXRA_MSG_HELLO 0x01    /* JSON {protocol, helper, pid, pipeSddl, session, desktop} */
#define FLXRA_MSG_DESKTOP 0x02  /* JSON {desktop}: the input desktop changed */
#define FLXRA_MSG_FRAME 0x03    /* u32 width, u32 height, i32 left, i32 top, then BGRA rows, top-down */
#define FLXRA_MSG_SESSIONS 0x04 /* JSON array, as windows-wts-helper.ts parses */
#define FLXRA_MSG_OK 0x05       /* empty */
#define FLXRA_MSG_ERROR 0x06    /* JSON {code, message, win32} */

/* agent -> helper */
#define FLXRA_REQ_CAPTURE 0x81  /* empty */
#define FLXRA_REQ_POINTER 0x82  /* i32 x, i32 y (virtual-screen pixels), u8 action, u8 button, i16 wheel */
#define FLXRA_REQ_KEY 0x83      /* u16 vk, u16 scan (UTF-16 unit with UNICODE), u8 down, u8 flags */
#define FLXRA_REQ_SAS 0x84      /* empty */
#define FLXRA_REQ_SESSIONS 0x85 /* empty */

#define FLXRA_FRAME_HEAD 16
#define FLXRA_POINTER_BYTES 12
#define FLXRA_KEY_BYTES 6
#define FLXRA_POINTER_MOVE 0
#define FLXRA_POINTER_DOWN 1
#define FLXRA_POINTER_UP 2
#define FLXRA_POINTER_WHEEL 3
#define FLXRA_KEY_EXTENDED 1
#define FLXRA_KEY_UNICODE 2

static inline void flxra_put_u16(unsigned char *p, uint16_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
}
static inline void flxra_put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static inline uint16_t flxra_get_u16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t flxra_get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
#endif
