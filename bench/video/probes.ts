/**
 * What the bench runs inside the pages it measures, as strings (tsx's transpiled functions do not
 * survive serialisation; page.evaluate goes through DevTools, which the pages' CSP does not block).
 * Both viewers get the same observer, `window.__bench`: it counts the frames the viewer shows and,
 * when asked for a colour at a point, records the first shown frame with that colour there and the
 * time it was shown, on the page's own clock (calibrated against the bench's: clock.ts).
 *   flxra: the operator's <video>, per requestVideoFrameCallback (its metadata's presentationTime:
 *     when the frame was handed to the compositor; receiveTime; processingDuration), the pixel read
 *     from the same frame.
 *   noVNC: its visible canvas, at each flip (the drawImage that copies noVNC's back buffer onto it),
 *     the pixel read right after it; bytes counted off its WebSocket's messages.
 */

const COMMON = `
  const b = (window.__bench ??= { frames: 0, first: null, want: null, seen: [], bytes: 0 });
  const near = (d, rgb) => rgb.every((v, i) => Math.abs(v - d[i]) <= 40);
  const epoch = (t) => (t == null ? null : performance.timeOrigin + t);
`;

/** The operator page's <video data-testid=remote-screen>, followed across re-renders. */
export const VIDEO_OBSERVER = `(() => {
  if (window.__bench) return;
  ${COMMON}
  const c = document.createElement('canvas');
  c.width = c.height = 1;
  const g = c.getContext('2d', { willReadFrequently: true });
  let attached = null;
  const watch = (video) => {
    const onFrame = (now, m) => {
      if (attached !== video) return;
      b.frames++;
      const shown = epoch(m.presentationTime);
      if (b.first === null) { b.first = shown; b.firstReceive = epoch(m.receiveTime); }
      const w = b.want;
      if (w && video.videoWidth) {
        g.drawImage(video, Math.floor(w.fx * video.videoWidth), Math.floor(w.fy * video.videoHeight), 1, 1, 0, 0, 1, 1);
        if (near(g.getImageData(0, 0, 1, 1).data, w.rgb)) {
          b.seen.push({ id: w.id, shown, callback: epoch(now), receive: epoch(m.receiveTime),
            capture: epoch(m.captureTime), processingMs: m.processingDuration == null ? null : m.processingDuration * 1000,
            width: video.videoWidth, height: video.videoHeight });
          b.want = null;
        }
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  setInterval(() => {
    const v = document.querySelector('video[data-testid=remote-screen]');
    if (v && v !== attached) { attached = v; watch(v); }
  }, 20);
})()`;

/** For the noVNC page (an init script: it must wrap WebSocket and drawImage before noVNC starts). */
export const CANVAS_OBSERVER = `(() => {
  ${COMMON}
  // noVNC checks its socket's own prototype for WebSocket's members: its onmessage is wrapped instead.
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', { ...onmessage, set(fn) {
    onmessage.set.call(this, fn && ((e) => { b.bytes += e.data.byteLength ?? e.data.size ?? e.data.length ?? 0; return fn.call(this, e); }));
  } });
  const draw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const r = draw.apply(this, args);
    if (this.canvas.dataset.screen === '1') {
      const shown = performance.timeOrigin + performance.now();
      b.frames++;
      if (b.first === null) b.first = shown;
      const w = b.want;
      if (w && near(this.getImageData(Math.floor(w.fx * this.canvas.width), Math.floor(w.fy * this.canvas.height), 1, 1).data, w.rgb)) {
        b.seen.push({ id: w.id, shown, width: this.canvas.width, height: this.canvas.height });
        b.want = null;
      }
    }
    return r;
  };
})()`;

/** Asks the observer to look for `colour` at (fx, fy) of the picture (fractions of its size; away from the pointer). */
export function expectColour(id: number, colour: number, fx = 0.3, fy = 0.4): string {
  const rgb = [(colour >> 16) & 255, (colour >> 8) & 255, colour & 255];
  return `(window.__bench.want = ${JSON.stringify({ id, fx, fy, rgb })}, true)`;
}

export const OBSERVED = `(() => { const b = window.__bench; return b ? { frames: b.frames, first: b.first, bytes: b.bytes, seen: b.seen.splice(0) } : null; })()`;

/**
 * The page's WebRTC stats (its RTCPeerConnections: dev/rig/page-probes.ts's RTC_PROBE), the
 * figures the bench reads as plain objects: each video rtp stream, its codec, the transport's bytes.
 */
export const RTC_STATS = `(async () => {
  const out = { inbound: [], outbound: [], source: [], bytesSent: 0, bytesReceived: 0, codecs: {}, jitterBufferTargets: [] };
  for (const pc of window.__flxraPeerConnections ?? []) {
    if (pc.connectionState === 'closed') continue;
    out.jitterBufferTargets = pc.getReceivers().filter((r) => r.track.kind === 'video').map((r) => r.jitterBufferTarget);
    const reports = await pc.getStats();
    reports.forEach((r) => {
      if (r.type === 'transport') { out.bytesSent += r.bytesSent ?? 0; out.bytesReceived += r.bytesReceived ?? 0; }
      else if (r.type === 'codec') out.codecs[r.id] = r.mimeType;
      else if (r.kind !== 'video') return;
      else if (r.type === 'inbound-rtp') out.inbound.push({ ...r });
      else if (r.type === 'outbound-rtp') out.outbound.push({ ...r });
      else if (r.type === 'media-source') out.source.push({ ...r });
    });
  }
  return out;
})()`;

/** Marks, on the host page's clock, the moment the user presses Allow (any button whose text starts so). */
export const ALLOW_MARK = `(() => {
  document.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest('button') : null;
    if (button && /^Allow/.test(button.textContent ?? '') && window.__allowAt == null)
      window.__allowAt = performance.timeOrigin + performance.now();
  }, true);
})()`;

/** The host page's offers put `mime` (video/VP8, video/H264, video/VP9, video/AV1) first: the bench's codec choice. */
export function preferCodec(mime: string): string {
  return `(() => {
    const offer = RTCPeerConnection.prototype.createOffer;
    RTCPeerConnection.prototype.createOffer = function (...args) {
      const codecs = RTCRtpSender.getCapabilities('video').codecs;
      const first = codecs.filter((c) => c.mimeType.toLowerCase() === ${JSON.stringify(mime.toLowerCase())});
      for (const t of this.getTransceivers())
        if (first.length && t.sender.track?.kind === 'video')
          t.setCodecPreferences([...first, ...codecs.filter((c) => !first.includes(c))]);
      return offer.apply(this, args);
    };
  })()`;
}

/**
 * Allow → first frame, stage by stage: each page records, on its own clock (epoch ms), the first
 * time each step happens: window.__stages. Host: getDisplayMedia asked and answered, the crop's
 * first frame (the first VideoFrame the page makes), the peer made, its offer, the answer set,
 * ICE checking/connected, DTLS connected, the data channel open, the first frame encoded and its
 * first packet sent (getStats, polled). Operator: the offer set, its answer, ICE, DTLS, the track,
 * the first packet received and frame decoded. Wraps the page's globals only; the app's code is unchanged.
 */
export const STAGE_MARKS = `(() => {
  if (window.__stages) return;
  const s = (window.__stages = {});
  const mark = (k) => { if (s[k] == null) s[k] = performance.timeOrigin + performance.now(); };
  const md = navigator.mediaDevices;
  const gdm = md.getDisplayMedia.bind(md);
  md.getDisplayMedia = async (...args) => { mark('getDisplayMedia'); const r = await gdm(...args); mark('captureStarted'); return r; };
  if (window.VideoFrame) {
    const VF = window.VideoFrame;
    window.VideoFrame = class extends VF { constructor(...a) { super(...a); mark('cropFirstFrame'); } };
  }
  const Prev = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Prev {
    constructor(...args) {
      super(...args);
      mark('peerCreated');
      this.addEventListener('icegatheringstatechange', () => mark('iceGathering-' + this.iceGatheringState));
      this.addEventListener('icecandidate', (e) => { if (e.candidate) mark('firstCandidate'); });
      this.addEventListener('iceconnectionstatechange', () => mark('ice-' + this.iceConnectionState));
      this.addEventListener('connectionstatechange', () => mark('dtls-' + this.connectionState));
      this.addEventListener('track', () => mark('track'));
      this.addEventListener('datachannel', (e) => e.channel.addEventListener('open', () => mark('channelOpen')));
      // The first video frame's steps in getStats, looked at every 10 ms for 4 s.
      const started = performance.now();
      const poll = setInterval(async () => {
        if (performance.now() - started > 4000 || this.connectionState === 'closed') return clearInterval(poll);
        (await this.getStats()).forEach((r) => {
          if (r.kind !== 'video') return;
          if (r.type === 'outbound-rtp' && r.framesEncoded > 0) mark('firstFrameEncoded (getStats, ±10 ms)');
          if (r.type === 'outbound-rtp' && r.packetsSent > 0) mark('firstPacketSent (getStats, ±10 ms)');
          if (r.type === 'inbound-rtp' && r.packetsReceived > 0) mark('firstPacketReceived (getStats, ±10 ms)');
          if (r.type === 'inbound-rtp' && r.framesDecoded > 0) mark('firstFrameDecoded (getStats, ±10 ms)');
        });
      }, 10);
    }
    createDataChannel(...a) { const c = super.createDataChannel(...a); c.addEventListener('open', () => mark('channelOpen')); return c; }
    async setLocalDescription(d) { const r = await super.setLocalDescription(d); mark('local-' + (d?.type ?? this.localDescription?.type)); return r; }
    async setRemoteDescription(d) { mark('remoteIn-' + d?.type); const r = await super.setRemoteDescription(d); return r; }
  };
})()`;
