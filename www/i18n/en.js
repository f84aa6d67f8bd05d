// English: the words each module keeps in its own TEXT table (index.html's text is English as
// written, so `page` is empty: a page unit's key is its English text).
import { MAIN_TEXT as main, COMMON_TEXT as common, VIOLATION_TEXT as violations } from '../lib/words.js';
import { TEXT as decode } from '../panels/decode.js';
import { TEXT as build } from '../panels/build.js';
import { TEXT as handshake } from '../panels/handshake.js';
import { TEXT as stream } from '../panels/stream.js';
import { TEXT as compress } from '../panels/compress.js';
import { TEXT as live } from '../panels/live.js';
import { TEXT as capture } from '../panels/capture.js';
import { TEXT as learn } from '../panels/learn.js';

export default { main, common, violations, decode, build, handshake, stream, compress, live, capture, learn, page: {} };
