// Words more than one panel uses (English). A translation replaces this table as a whole.
export const COMMON_TEXT = {
  /** parseBytes' error, in words. */
  bytesError: (e) => (e.kind === 'not-hex' ? 'not hex: only 0-9 and a-f are allowed'
    : e.kind === 'odd-hex' ? 'odd number of hex digits (' + e.digits + ')'
      : 'neither hex nor base64'),
  /** Who receives: the role of the decoder. */
  receiver: (role) => (role === 'server' ? 'a server' : 'a client'),
};
