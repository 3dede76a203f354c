/*
 * flxra's SYSTEM helper for the secure desktop (docs/secure-desktop.md). A user-level host can
 * neither see nor drive a UAC prompt, the Ctrl+Alt+Del screen or the logon screen; this small
 * program, started by the agent service as LocalSystem in the user's session, follows the input
 * desktop, captures it with GDI, injects input there with SendInput, sends the Secure Attention
 * Sequence (sas.dll, loaded only when asked) and lists the sessions as the JSON the agent parses
 * (src/platform/user-sessions/windows-wts-helper.ts). It serves one client, the agent, on a named
 * pipe only SYSTEM may open, then exits. Only Windows system DLLs; built by scripts/build-native.sh.
 *
 *   flxra-desktop-helper.exe --pipe \\.\pipe\NAME   serve the pipe protocol (one client)
 *   flxra-desktop-helper.exe --sessions             print the sessions' JSON on stdout, exit 0
 */
#include <windows.h>
#include <sddl.h>
#include <aclapi.h>
#include <wtsapi32.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "protocol.h"

static HANDLE pipe_handle = INVALID_HANDLE_VALUE;
static HDESK current_desktop = NULL;
static wchar_t current_name[64] = L"";
static char pipe_sddl[256] = "";

/* ---- growing UTF-8 text (the JSON bodies) ---- */
typedef struct {
  char *data;
  size_t len, cap;
} text_t;

static void text_put(text_t *t, const char *s, size_t n) {
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (t->len + n + 1 > cap) cap *= 2;
    char *grown = realloc(t->data, cap);
    if (!grown) exit(3);
    t->data = grown;
    t->cap = cap;
  }
  memcpy(t->data + t->len, s, n);
  t->len += n;
  t->data[t->len] = 0;
}

static void text_cstr(text_t *t, const char *s) { text_put(t, s, strlen(s)); }

/* A UTF-16 string as a JSON string literal, UTF-8, with the characters JSON requires escaped. */
static void text_json_wstr(text_t *t, const wchar_t *w) {
  text_cstr(t, "\"");
  int n = w && *w ? WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL) : 0;
  char *utf8 = n > 0 ? malloc(n) : NULL;
  if (utf8) WideCharToMultiByte(CP_UTF8, 0, w, -1, utf8, n, NULL, NULL);
  for (const unsigned char *p = (const unsigned char *)(utf8 ? utf8 : ""); *p; p++) {
    char esc[8];
    if (*p == '"' || *p == '\\') {
      esc[0] = '\\';
      esc[1] = (char)*p;
      text_put(t, esc, 2);
    } else if (*p < 0x20) {
      snprintf(esc, sizeof esc, "\\u%04x", *p);
      text_cstr(t, esc);
    } else {
      text_put(t, (const char *)p, 1);
    }
  }
  free(utf8);
  text_cstr(t, "\"");
}

/* ---- sessions: the contract of windows-wts-helper.ts ---- */
static const char *state_name(WTS_CONNECTSTATE_CLASS s) {
  static const char *names[] = {"WTSActive", "WTSConnected", "WTSConnectQuery", "WTSShadow", "WTSDisconnected",
                                "WTSIdle",   "WTSListen",    "WTSReset",        "WTSDown",   "WTSInit"};
  return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "WTSDown";
}

static void query_string(DWORD id, WTS_INFO_CLASS what, text_t *t) {
  LPWSTR value = NULL;
  DWORD bytes = 0;
  if (WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, id, what, &value, &bytes) && value) {
    text_json_wstr(t, value);
    WTSFreeMemory(value);
  } else {
    text_cstr(t, "\"\"");
  }
}

/* Returns FALSE (and the Win32 error) when Terminal Services cannot be asked. */
static BOOL sessions_json(text_t *t, DWORD *error) {
  PWTS_SESSION_INFOW list = NULL;
  DWORD count = 0;
  if (!WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE, 0, 1, &list, &count)) {
    *error = GetLastError();
    return FALSE;
  }
  text_cstr(t, "[");
  for (DWORD i = 0; i < count; i++) {
    char head[64];
    snprintf(head, sizeof head, "%s{\"SessionId\":%lu,\"WinStationName\":", i ? "," : "",
             (unsigned long)list[i].SessionId);
    text_cstr(t, head);
    text_json_wstr(t, list[i].pWinStationName);
    text_cstr(t, ",\"State\":\"");
    text_cstr(t, state_name(list[i].State));
    text_cstr(t, "\",\"UserName\":");
    query_string(list[i].SessionId, WTSUserName, t);
    text_cstr(t, ",\"Domain\":");
    query_string(list[i].SessionId, WTSDomainName, t);
    text_cstr(t, "}");
  }
  text_cstr(t, "]");
  WTSFreeMemory(list);
  return TRUE;
}

/* ---- pipe writes ---- */
static BOOL write_all(const void *data, DWORD len) {
  const char *p = data;
  while (len > 0) {
    OVERLAPPED ov = {0};
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    DWORD done = 0;
    BOOL ok = WriteFile(pipe_handle, p, len, NULL, &ov);
    if (!ok && GetLastError() != ERROR_IO_PENDING) {
      CloseHandle(ov.hEvent);
      return FALSE;
    }
    ok = GetOverlappedResult(pipe_handle, &ov, &done, TRUE);
    CloseHandle(ov.hEvent);
    if (!ok || done == 0) return FALSE;
    p += done;
    len -= done;
  }
  return TRUE;
}

static BOOL send_message(uint16_t type, uint16_t id, const void *body, uint32_t len) {
  unsigned char head[FLXRA_HEADER_BYTES];
  flxra_put_u32(head, len);
  flxra_put_u16(head + 4, type);
  flxra_put_u16(head + 6, id);
  return write_all(head, sizeof head) && (len == 0 || write_all(body, len));
}

static BOOL send_json(uint16_t type, uint16_t id, text_t *t) {
  BOOL ok = send_message(type, id, t->data, (uint32_t)t->len);
  free(t->data);
  t->data = NULL;
  t->len = t->cap = 0;
  return ok;
}

static BOOL send_error(uint16_t id, const char *code, const char *message, DWORD win32) {
  char body[512];
  snprintf(body, sizeof body, "{\"code\":\"%s\",\"message\":\"%s\",\"win32\":%lu}", code, message,
           (unsigned long)win32);
  return send_message(FLXRA_MSG_ERROR, id, body, (uint32_t)strlen(body));
}

/* ---- the input desktop ---- */

/* Switches this thread to the desktop that receives input now; TRUE when it changed. */
static BOOL follow_input_desktop(void) {
  HDESK input = OpenInputDesktop(0, FALSE, GENERIC_ALL);
  if (!input) return FALSE;
  wchar_t name[64] = L"";
  DWORD needed = 0;
  GetUserObjectInformationW(input, UOI_NAME, name, sizeof name - sizeof(wchar_t), &needed);
  if (current_desktop && wcscmp(name, current_name) == 0) {
    CloseDesktop(input);
    return FALSE;
  }
  if (!SetThreadDesktop(input)) {
    CloseDesktop(input);
    return FALSE;
  }
  if (current_desktop) CloseDesktop(current_desktop);
  current_desktop = input;
  wcsncpy(current_name, name, 63);
  return TRUE;
}

static void desktop_json(text_t *t, const char *prefix) {
  text_cstr(t, prefix);
  text_cstr(t, "\"desktop\":");
  text_json_wstr(t, current_name);
}

static BOOL announce_desktop(void) {
  text_t t = {0};
  desktop_json(&t, "{");
  text_cstr(&t, "}");
  return send_json(FLXRA_MSG_DESKTOP, 0, &t);
}

/* ---- requests ---- */
static BOOL do_capture(uint16_t id) {
  int left = GetSystemMetrics(SM_XVIRTUALSCREEN), top = GetSystemMetrics(SM_YVIRTUALSCREEN);
  int width = GetSystemMetrics(SM_CXVIRTUALSCREEN), height = GetSystemMetrics(SM_CYVIRTUALSCREEN);
  if (width <= 0 || height <= 0 || (uint64_t)width * height * 4 + FLXRA_FRAME_HEAD > FLXRA_MAX_HELPER_BODY)
    return send_error(id, "capture-failed", "The desktop has no size the protocol can carry.", 0);
  HDC screen = GetDC(NULL);
  HDC mem = CreateCompatibleDC(screen);
  BITMAPINFO bi = {0};
  bi.bmiHeader.biSize = sizeof bi.bmiHeader;
  bi.bmiHeader.biWidth = width;
  bi.bmiHeader.biHeight = -height; /* top-down rows */
  bi.bmiHeader.biPlanes = 1;
  bi.bmiHeader.biBitCount = 32;
  bi.bmiHeader.biCompression = BI_RGB;
  void *bits = NULL;
  HBITMAP dib = screen && mem ? CreateDIBSection(mem, &bi, DIB_RGB_COLORS, &bits, NULL, 0) : NULL;
  BOOL ok = FALSE;
  if (dib) {
    HGDIOBJ old = SelectObject(mem, dib);
    ok = BitBlt(mem, 0, 0, width, height, screen, left, top, SRCCOPY | CAPTUREBLT);
    GdiFlush();
    SelectObject(mem, old);
  }
  DWORD error = ok ? 0 : GetLastError();
  BOOL sent;
  if (ok) {
    uint32_t pixels = (uint32_t)width * (uint32_t)height;
    unsigned char *px = bits;
    for (uint32_t i = 0; i < pixels; i++) px[i * 4 + 3] = 255; /* GDI leaves the fourth byte 0 */
    unsigned char head[FLXRA_FRAME_HEAD];
    flxra_put_u32(head, (uint32_t)width);
    flxra_put_u32(head + 4, (uint32_t)height);
    flxra_put_u32(head + 8, (uint32_t)left);
    flxra_put_u32(head + 12, (uint32_t)top);
    unsigned char msg[FLXRA_HEADER_BYTES];
    uint32_t len = FLXRA_FRAME_HEAD + pixels * 4;
    flxra_put_u32(msg, len);
    flxra_put_u16(msg + 4, FLXRA_MSG_FRAME);
    flxra_put_u16(msg + 6, id);
    sent = write_all(msg, sizeof msg) && write_all(head, sizeof head) && write_all(bits, pixels * 4);
  } else {
    sent = send_error(id, "capture-failed", "The desktop could not be captured.", error);
  }
  if (dib) DeleteObject(dib);
  if (mem) DeleteDC(mem);
  if (screen) ReleaseDC(NULL, screen);
  return sent;
}

static BOOL do_pointer(uint16_t id, const unsigned char *b) {
  int32_t x = (int32_t)flxra_get_u32(b), y = (int32_t)flxra_get_u32(b + 4);
  uint8_t action = b[8], button = b[9];
  int16_t wheel = (int16_t)flxra_get_u16(b + 10);
  int vx = GetSystemMetrics(SM_XVIRTUALSCREEN), vy = GetSystemMetrics(SM_YVIRTUALSCREEN);
  int vw = GetSystemMetrics(SM_CXVIRTUALSCREEN), vh = GetSystemMetrics(SM_CYVIRTUALSCREEN);
  if (action > FLXRA_POINTER_WHEEL || button > 2 || vw < 2 || vh < 2)
    return send_error(id, "bad-request", "That pointer event is not one the helper knows.", 0);
  INPUT in = {0};
  in.type = INPUT_MOUSE;
  in.mi.dx = (LONG)(((int64_t)(x - vx) * 65535) / (vw - 1));
  in.mi.dy = (LONG)(((int64_t)(y - vy) * 65535) / (vh - 1));
  in.mi.dwFlags = MOUSEEVENTF_MOVE | MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK;
  static const DWORD downs[] = {MOUSEEVENTF_LEFTDOWN, MOUSEEVENTF_RIGHTDOWN, MOUSEEVENTF_MIDDLEDOWN};
  static const DWORD ups[] = {MOUSEEVENTF_LEFTUP, MOUSEEVENTF_RIGHTUP, MOUSEEVENTF_MIDDLEUP};
  if (action == FLXRA_POINTER_DOWN) in.mi.dwFlags |= downs[button];
  if (action == FLXRA_POINTER_UP) in.mi.dwFlags |= ups[button];
  if (action == FLXRA_POINTER_WHEEL) {
    in.mi.dwFlags |= MOUSEEVENTF_WHEEL;
    in.mi.mouseData = (DWORD)(int32_t)wheel;
  }
  if (SendInput(1, &in, sizeof in) != 1)
    return send_error(id, "input-refused", "Windows refused the pointer input.", GetLastError());
  return send_message(FLXRA_MSG_OK, id, NULL, 0);
}

static BOOL do_key(uint16_t id, const unsigned char *b) {
  uint16_t vk = flxra_get_u16(b), scan = flxra_get_u16(b + 2);
  uint8_t down = b[4], flags = b[5];
  INPUT in = {0};
  in.type = INPUT_KEYBOARD;
  if (flags & FLXRA_KEY_UNICODE) {
    in.ki.wScan = scan;
    in.ki.dwFlags = KEYEVENTF_UNICODE;
  } else {
    /* The virtual key as well as the scan code: scan-code-only input types nothing under Wine. */
    in.ki.wVk = vk;
    in.ki.wScan = scan;
    if (scan) in.ki.dwFlags |= KEYEVENTF_SCANCODE;
  }
  if (flags & FLXRA_KEY_EXTENDED) in.ki.dwFlags |= KEYEVENTF_EXTENDEDKEY;
  if (!down) in.ki.dwFlags |= KEYEVENTF_KEYUP;
  if (SendInput(1, &in, sizeof in) != 1)
    return send_error(id, "input-refused", "Windows refused the key input.", GetLastError());
  return send_message(FLXRA_MSG_OK, id, NULL, 0);
}

typedef VOID(WINAPI *send_sas_fn)(BOOL);

/* Wine ships sas.dll with SendSAS as an unimplemented stub that aborts the process when called. */
static BOOL under_wine(void) {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll && GetProcAddress(ntdll, "wine_get_version") != NULL;
}

static BOOL do_sas(uint16_t id) {
  if (under_wine())
    return send_error(id, "sas-unavailable", "Wine has no SendSAS, so Ctrl+Alt+Del cannot be sent here.", 0);
  HMODULE sas = LoadLibraryExW(L"sas.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
  send_sas_fn send_sas = sas ? (send_sas_fn)(void (*)(void))GetProcAddress(sas, "SendSAS") : NULL;
  if (!send_sas) {
    DWORD error = GetLastError();
    if (sas) FreeLibrary(sas);
    return send_error(id, "sas-unavailable", "This Windows has no SendSAS (sas.dll), so Ctrl+Alt+Del cannot be sent.",
                      error);
  }
  /* FALSE: the caller is a service. Windows ignores it unless SoftwareSASGeneration allows services. */
  send_sas(FALSE);
  FreeLibrary(sas);
  return send_message(FLXRA_MSG_OK, id, NULL, 0);
}

static BOOL do_sessions(uint16_t id) {
  text_t t = {0};
  DWORD error = 0;
  if (!sessions_json(&t, &error)) {
    free(t.data);
    return send_error(id, "sessions-failed", "Terminal Services did not list the sessions.", error);
  }
  return send_json(FLXRA_MSG_SESSIONS, id, &t);
}

/* One request: FALSE ends the connection (a write failed, or the request broke the protocol). */
static BOOL handle(uint16_t type, uint16_t id, const unsigned char *body, uint32_t len) {
  if (follow_input_desktop() && !announce_desktop()) return FALSE;
  switch (type) {
  case FLXRA_REQ_CAPTURE:
    if (len == 0) return do_capture(id);
    break;
  case FLXRA_REQ_POINTER:
    if (len == FLXRA_POINTER_BYTES) return do_pointer(id, body);
    break;
  case FLXRA_REQ_KEY:
    if (len == FLXRA_KEY_BYTES) return do_key(id, body);
    break;
  case FLXRA_REQ_SAS:
    if (len == 0) return do_sas(id);
    break;
  case FLXRA_REQ_SESSIONS:
    if (len == 0) return do_sessions(id);
    break;
  default:
    send_error(id, "bad-request", "The helper does not know that request.", 0);
    return FALSE;
  }
  send_error(id, "bad-request", "That request has the wrong length.", 0);
  return FALSE;
}

/* ---- the pipe ---- */
static BOOL create_pipe(const wchar_t *name) {
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, FALSE};
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(FLXRA_PIPE_SDDL, SDDL_REVISION_1,
                                                            &sa.lpSecurityDescriptor, NULL))
    return FALSE;
  pipe_handle = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                                 PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1,
                                 1 << 20, 4096, 0, &sa);
  LocalFree(sa.lpSecurityDescriptor);
  if (pipe_handle == INVALID_HANDLE_VALUE) return FALSE;
  /* What the pipe's DACL really is, read back, for the hello (the tests check it). */
  PSECURITY_DESCRIPTOR sd = NULL;
  LPWSTR sddl = NULL;
  if (GetSecurityInfo(pipe_handle, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, NULL, NULL, &sd) ==
          ERROR_SUCCESS &&
      ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &sddl,
                                                           NULL)) {
    WideCharToMultiByte(CP_UTF8, 0, sddl, -1, pipe_sddl, sizeof pipe_sddl - 1, NULL, NULL);
  }
  if (sddl) LocalFree(sddl);
  if (sd) LocalFree(sd);
  return TRUE;
}

static BOOL wait_io(OVERLAPPED *ov, DWORD *done) {
  for (;;) {
    DWORD w = WaitForSingleObject(ov->hEvent, FLXRA_DESKTOP_POLL_MS);
    if (w == WAIT_OBJECT_0) return GetOverlappedResult(pipe_handle, ov, done, FALSE);
    if (w != WAIT_TIMEOUT) return FALSE;
    /* Between requests: tell the agent when the input desktop changes (a UAC prompt came up). */
    if (follow_input_desktop() && !announce_desktop()) {
      CancelIo(pipe_handle);
      return FALSE;
    }
  }
}

static int serve(const wchar_t *name) {
  if (!create_pipe(name)) {
    fprintf(stderr, "flxra-desktop-helper: cannot create the pipe (error %lu)\n", GetLastError());
    return 2;
  }
  /* For whoever started it and can read its output: the pipe exists now (the agent's client retries anyway). */
  fputs("listening\n", stdout);
  fflush(stdout);
  /* Physical pixels: without it a scaled display gives scaled metrics and a blurred, cropped capture. */
  SetProcessDPIAware();
  follow_input_desktop();
  OVERLAPPED ov = {0};
  ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  DWORD done = 0;
  if (!ConnectNamedPipe(pipe_handle, &ov)) {
    DWORD e = GetLastError();
    if (e == ERROR_IO_PENDING) {
      if (!GetOverlappedResult(pipe_handle, &ov, &done, TRUE)) return 2;
    } else if (e != ERROR_PIPE_CONNECTED) {
      return 2;
    }
  }
  text_t hello = {0};
  char head[160];
  snprintf(head, sizeof head, "{\"protocol\":%d,\"helper\":\"%s\",\"pid\":%lu,\"pipeSddl\":", FLXRA_PROTOCOL_VERSION,
           FLXRA_HELPER_VERSION, (unsigned long)GetCurrentProcessId());
  text_cstr(&hello, head);
  wchar_t wsddl[256];
  MultiByteToWideChar(CP_UTF8, 0, pipe_sddl, -1, wsddl, 256);
  text_json_wstr(&hello, wsddl);
  DWORD session = 0;
  ProcessIdToSessionId(GetCurrentProcessId(), &session);
  snprintf(head, sizeof head, ",\"session\":%lu,", (unsigned long)session);
  text_cstr(&hello, head);
  desktop_json(&hello, "");
  text_cstr(&hello, "}");
  if (!send_json(FLXRA_MSG_HELLO, 0, &hello)) return 1;

  unsigned char buf[FLXRA_HEADER_BYTES + FLXRA_MAX_REQUEST_BODY];
  for (;;) {
    DWORD have = 0, want = FLXRA_HEADER_BYTES;
    uint32_t len = 0;
    while (have < want) {
      ResetEvent(ov.hEvent);
      if (!ReadFile(pipe_handle, buf + have, want - have, NULL, &ov) && GetLastError() != ERROR_IO_PENDING) return 0;
      if (!wait_io(&ov, &done) || done == 0) return 0; /* the agent closed the pipe: the helper's job is over */
      have += done;
      if (have == FLXRA_HEADER_BYTES && want == FLXRA_HEADER_BYTES) {
        len = flxra_get_u32(buf);
        if (len > FLXRA_MAX_REQUEST_BODY) {
          send_error(flxra_get_u16(buf + 6), "bad-request", "That request is longer than any the helper takes.", 0);
          return 1;
        }
        want += len;
      }
    }
    if (!handle(flxra_get_u16(buf + 4), flxra_get_u16(buf + 6), buf + FLXRA_HEADER_BYTES, len)) return 1;
  }
}

int wmain(int argc, wchar_t **argv) {
  if (argc == 2 && wcscmp(argv[1], L"--sessions") == 0) {
    text_t t = {0};
    DWORD error = 0;
    if (!sessions_json(&t, &error)) {
      fprintf(stderr, "flxra-desktop-helper: WTSEnumerateSessionsW failed (error %lu)\n", (unsigned long)error);
      return 2;
    }
    fwrite(t.data, 1, t.len, stdout);
    fputc('\n', stdout);
    return 0;
  }
  if (argc == 3 && wcscmp(argv[1], L"--pipe") == 0 && wcsncmp(argv[2], L"\\\\.\\pipe\\", 9) == 0) return serve(argv[2]);
  fprintf(stderr, "usage: flxra-desktop-helper --pipe \\\\.\\pipe\\NAME | --sessions\n");
  return 64;
}
