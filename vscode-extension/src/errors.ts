// Classifies errors of requests to the server (docs/protocol.md "JSON-RPC" table).
import { ResponseError } from 'vscode-languageserver-protocol';
import { ErrorCodes } from './protocol';

export function errorCode(e: unknown): number | undefined {
  if (e instanceof ResponseError) return e.code;
  if (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number') {
    return (e as { code: number }).code;
  }
  return undefined;
}

/** -32601: a method this (older) server does not serve. */
export function isNotAvailable(e: unknown): boolean {
  return errorCode(e) === ErrorCodes.MethodNotFound;
}

/** -32800: cancelled by $/cancelRequest or window/workDoneProgress/cancel. */
export function isCancelled(e: unknown): boolean {
  return errorCode(e) === ErrorCodes.RequestCancelled;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return String(e);
}

/** The `data` of a ResponseError, if it has one. */
export function errorData<T>(e: unknown): T | undefined {
  if (e instanceof ResponseError) return e.data as T | undefined;
  return undefined;
}
