/** pino logger (JSON lines on stdout). */
import { pino } from "pino";

/** The logger type used everywhere. */
export type Logger = pino.Logger;

/** Creates the logger at `level`. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { svc: "hashpower-indexer" } }, destination ?? pino.destination({ sync: false }));
}
