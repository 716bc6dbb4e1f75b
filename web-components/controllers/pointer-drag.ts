/**
 * Dragging an item with the pointer onto a drop target in the host's shadow root (a card onto a board
 * cell; a calendar's event onto a day would be the same). The drag starts once the pointer has moved
 * a few pixels (a click stays a click); the target under the pointer is the nearest element carrying
 * the drop attribute; the host draws the item under the pointer from `drag` (x, y, offsets, width).
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";

export interface DragState {
  id: number;
  /** The drop key the item started in. */
  from: string;
  pointerId: number;
  startX: number;
  startY: number;
  offX: number;
  offY: number;
  width: number;
  x: number;
  y: number;
  active: boolean;
  /** The drop key under the pointer. */
  target: string | null;
}

export interface PointerDragOptions {
  /** The attribute naming a drop target's key (read from `dataset` style: `data-cell-key`). */
  dropAttribute: string;
  /** A drag ended over another target than it started in. */
  drop(id: number, from: string, to: string): void;
}

type Host = ReactiveControllerHost & { renderRoot: HTMLElement | DocumentFragment };

export class PointerDragController implements ReactiveController {
  drag: DragState | null = null;

  constructor(
    private readonly host: Host,
    private readonly opts: PointerDragOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.drag = null;
  }

  /** The item `id` in target `from` was pressed on (the host has checked that it may move). */
  start(e: PointerEvent, id: number, from: string): void {
    const el = e.currentTarget as HTMLElement;
    const box = el.getBoundingClientRect();
    this.drag = {
      id,
      from,
      pointerId: e.pointerId,
      startX: e.clientX,
      startY: e.clientY,
      offX: e.clientX - box.left,
      offY: e.clientY - box.top,
      width: box.width,
      x: e.clientX,
      y: e.clientY,
      active: false,
      target: null,
    };
    el.setPointerCapture?.(e.pointerId);
  }

  /** True while `key` is the target under an active drag. */
  isOver(key: string): boolean {
    return !!this.drag?.active && this.drag.target === key;
  }

  isDragging(id: number): boolean {
    return !!this.drag?.active && this.drag.id === id;
  }

  readonly onPointerMove = (e: PointerEvent): void => {
    const d = this.drag;
    if (!d || e.pointerId !== d.pointerId) return;
    if (!d.active && Math.hypot(e.clientX - d.startX, e.clientY - d.startY) < 5) return;
    d.active = true;
    d.x = e.clientX;
    d.y = e.clientY;
    d.target = this.targetAt(e.clientX, e.clientY);
    this.host.requestUpdate();
  };

  readonly onPointerUp = (e: PointerEvent): void => {
    const d = this.drag;
    if (!d || e.pointerId !== d.pointerId) return;
    this.drag = null;
    this.host.requestUpdate();
    if (d.active && d.target && d.target !== d.from) this.opts.drop(d.id, d.from, d.target);
  };

  readonly onPointerCancel = (): void => {
    this.drag = null;
    this.host.requestUpdate();
  };

  private targetAt(x: number, y: number): string | null {
    const root = this.host.renderRoot as ShadowRoot;
    const attr = this.opts.dropAttribute;
    for (const el of root.elementsFromPoint(x, y)) {
      const target = (el as HTMLElement).closest<HTMLElement>(`[${attr}]`);
      if (target) return target.getAttribute(attr);
    }
    return null;
  }
}
