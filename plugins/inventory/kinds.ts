/**
 * The ledger's kinds of move and what each does to a level. A move's quantity is signed by its kind
 * (receipts add, shipments take, ...); the level's on_hand and reserved are the sums of the moves
 * that touch them, which is exactly what verify recomputes.
 */
export type MoveKind =
  "receipt" | "shipment" | "adjustment" | "transfer_out" | "transfer_in" | "reservation" | "release";

/** Which balances a move's signed quantity adds to. A shipment takes what it ships out of both. */
export const TOUCHES: Readonly<Record<MoveKind, { onHand: boolean; reserved: boolean }>> = {
  receipt: { onHand: true, reserved: false },
  shipment: { onHand: true, reserved: true },
  adjustment: { onHand: true, reserved: false },
  transfer_out: { onHand: true, reserved: false },
  transfer_in: { onHand: true, reserved: false },
  reservation: { onHand: false, reserved: true },
  release: { onHand: false, reserved: true },
};

export const MOVE_KINDS = Object.keys(TOUCHES) as MoveKind[];
