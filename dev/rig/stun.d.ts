// The few parts of @msimerson/stun (STUN/TURN message encoding, no types of its own) that the
// TURN probe (turn-probe.ts) uses.
declare module '@msimerson/stun' {
  export interface StunAttribute {
    readonly type: number;
    readonly value: unknown;
  }
  export class StunMessage {
    readonly type: number;
    readonly transactionId: Buffer;
    getAttribute(type: number): StunAttribute | undefined;
  }
  export class StunRequest extends StunMessage {
    addAttribute(type: number, ...args: unknown[]): StunAttribute;
    addUsername(username: string): StunAttribute;
    addRealm(realm: string): StunAttribute;
    addNonce(nonce: string): StunAttribute;
    addMessageIntegrity(key: string | Buffer): boolean;
    addFingerprint(): boolean;
    toBuffer(): Buffer;
  }
  export class StunResponse extends StunMessage {
    getError(): { code: number; reason: string } | undefined;
    getRealm(): string | undefined;
    getNonce(): string | undefined;
  }
  export function createMessage(type: number, transaction?: Buffer): StunRequest;
  export function decode(message: Buffer): StunResponse;
  export const constants: Record<string, number>;
}
