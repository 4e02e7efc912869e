/** Limits the engine enforces and its clients check before sending. */

/** Longest URL the engine accepts (its request schema), in characters. */
export const MAX_URL_LENGTH = 8192;
