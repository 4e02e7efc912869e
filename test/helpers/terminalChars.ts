/** Text a hostile page may put in front of a terminal, and the characters a terminal acts on. */

export const ESC = '\x1b';

/** Characters a terminal acts on: none may reach it from a site. */
export const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
