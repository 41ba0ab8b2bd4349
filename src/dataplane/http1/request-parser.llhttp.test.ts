// The request cases of nodejs/llhttp (test/request/*.md, strict mode; lenient-*.md and
// pausing.md and skipBody cases left out: berth runs llhttp's defaults, as node's http server does), ported as
// inputs and expected outcomes: how many messages llhttp completes and how the stream ends.
// Each input is fed whole and split at every byte, since the parser must not care where reads end.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStream } from '../../../test/helpers/request-parse.js';

type Outcome = 'ok' | 'error' | 'upgrade' | 'close';

/**
 * Where berth refuses what llhttp parses, on purpose: HTTP/0.9 request lines get 505 (RFC 9110
 * s15.6.6) instead of being served as HTTP/1.1; RTSP/ICE request lines are not HTTP.
 */
const DIFFERENT: Record<string, Outcome> = {
  'No HTTP version': 'error',
  'SOURCE request with ICE': 'error',
  'OPTIONS request with RTSP': 'error',
  'ANNOUNCE request with RTSP': 'error',
};

/** [name, input, messages llhttp completes, how it ends]; 'close': llhttp refuses data after a non-keep-alive message, berth never reads it. */
const CASES: Array<[string, string, number, Outcome]> = [
  // test/request/connection.md
  ["Setting flag", "PUT /url HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", 1, 'ok'],
  ["Restarting when keep-alive is explicitly", "PUT /url HTTP/1.1\r\nConnection: keep-alive\r\n\r\nPUT /url HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", 2, 'ok'],
  ["No restart when keep-alive is off (1.0)", "PUT /url HTTP/1.0\r\n\r\nPUT /url HTTP/1.1\r\n\r\n", 1, 'close'],
  ["CRLF between requests, implicit `keep-alive`", "POST / HTTP/1.1\r\nHost: www.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\n\r\nq=42\r\n\r\nGET / HTTP/1.1", 1, 'ok'],
  ["Not treating `\\r` as `-`", "PUT /url HTTP/1.1\r\nConnection: keep\ralive\r\n\r\n", 0, 'error'],
  ["Setting flag on `close`", "PUT /url HTTP/1.1\r\nConnection: close\r\n\r\n", 1, 'ok'],
  ["Setting flag on `close` followed by tab", "PUT /url HTTP/1.1\r\nConnection: close\t\r\n\r\n", 1, 'ok'],
  ["CRLF between requests, explicit `close`", "POST / HTTP/1.1\r\nHost: www.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\nConnection: close\r\n\r\nq=42\r\n\r\nGET / HTTP/1.1", 1, 'close'],
  ["CRLF between requests, explicit `close` followed by tab", "POST / HTTP/1.1\r\nHost: www.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\nConnection: close\t\r\n\r\nq=42\r\n\r\nGET / HTTP/1.1", 1, 'close'],
  ["Sample", "PUT /url HTTP/1.1\r\nConnection: close, token, upgrade, token, keep-alive\r\n\r\n", 1, 'ok'],
  ["Multiple tokens with folding and LWS", "GET /demo HTTP/1.1\r\nConnection: keep-alive, upgrade\r\nUpgrade: WebSocket\r\n\r\nHot diggity dogg", 1, 'upgrade'],
  ["Invalid whitespace token with `Connection` header field", "PUT /url HTTP/1.1\r\nConnection : upgrade\r\nContent-Length: 4\r\nUpgrade: ws\r\n\r\nabcdefgh", 0, 'error'],
  ["Setting a flag and pausing", "PUT /url HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: ws\r\n\r\n", 1, 'upgrade'],
  ["Emitting part of body and pausing", "PUT /url HTTP/1.1\r\nConnection: upgrade\r\nContent-Length: 4\r\nUpgrade: ws\r\n\r\nabcdefgh", 1, 'upgrade'],
  ["Upgrade GET request", "GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nSec-WebSocket-Protocol: sample\r\nUpgrade: WebSocket\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nOrigin: http://example.com\r\n\r\nHot diggity dogg", 1, 'upgrade'],
  ["Upgrade POST request", "POST /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: HTTP/2.0\r\nContent-Length: 15\r\n\r\nsweet post bodyHot diggity dogg", 1, 'upgrade'],
  // test/request/content-length.md
  ["`Content-Length` with zeroes", "PUT /url HTTP/1.1\r\nContent-Length: 003\r\n\r\nabc", 1, 'ok'],
  ["`Content-Length` with follow-up headers", "PUT /url HTTP/1.1\r\nContent-Length: 003\r\nOhai: world\r\n\r\nabc", 1, 'ok'],
  ["Error on `Content-Length` overflow", "PUT /url HTTP/1.1\r\nContent-Length: 1000000000000000000000\r\n", 0, 'error'],
  ["Error on duplicate `Content-Length`", "PUT /url HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n", 0, 'error'],
  ["Error on simultaneous `Content-Length` and `Transfer-Encoding: identity`", "PUT /url HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: identity\r\n\r\n", 0, 'error'],
  ["Invalid whitespace token with `Content-Length` header field", "PUT /url HTTP/1.1\r\nConnection: upgrade\r\nContent-Length : 4\r\nUpgrade: ws\r\n\r\nabcdefgh", 0, 'error'],
  ["Funky `Content-Length` with body", "GET /get_funky_content_length_body_hello HTTP/1.0\r\nconTENT-Length: 5\r\n\r\nHELLO", 1, 'ok'],
  ["Spaces in `Content-Length` (surrounding)", "POST / HTTP/1.1\r\nContent-Length:  42 \r\n\r\n", 0, 'ok'],
  ["Tabs in `Content-Length` (surrounding)", "POST / HTTP/1.1\r\nContent-Length:\t42\t  \r\n\r\n", 0, 'ok'],
  ["Spaces in `Content-Length` #2", "POST / HTTP/1.1\r\nContent-Length: 4 2\r\n\r\n", 0, 'error'],
  ["Spaces in `Content-Length` #3", "POST / HTTP/1.1\r\nContent-Length: 13 37\r\n\r\n", 0, 'error'],
  ["Empty `Content-Length`", "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 0, 'error'],
  ["`Content-Length` with CR instead of dash", "PUT /url HTTP/1.1\r\nContent\rLength: 003\r\n\r\nabc", 0, 'error'],
  ["Missing CRLF-CRLF before body", "PUT /url HTTP/1.1\r\nContent-Length: 3\r\n\rabc", 0, 'error'],
  // test/request/invalid.md
  ["ICE protocol and GET method", "GET /music/sweet/music ICE/1.0\r\nHost: example.com\r\n\r\n", 0, 'error'],
  ["ICE protocol, but not really", "GET /music/sweet/music IHTTP/1.0\r\nHost: example.com\r\n\r\n", 0, 'error'],
  ["RTSP protocol and PUT method", "PUT /music/sweet/music RTSP/1.0\r\nHost: example.com\r\n\r\n", 0, 'error'],
  ["HTTP protocol and ANNOUNCE method", "ANNOUNCE /music/sweet/music HTTP/1.0\r\nHost: example.com\r\n\r\n", 0, 'error'],
  ["Headers separated by CR", "GET / HTTP/1.1\r\nFoo: 1\rBar: 2\r\n\r\n", 0, 'error'],
  ["Headers separated by LF", "POST / HTTP/1.1\r\nHost: localhost:5000\r\nx:x\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n", 0, 'error'],
  ["Headers separated by dummy characters", "GET / HTTP/1.1\r\nConnection: close\r\nHost: a\r\n\rZGET /evil: HTTP/1.1\r\nHost: a\r\n", 0, 'error'],
  ["Empty headers separated by CR", "POST / HTTP/1.1\r\nConnection: Close\r\nHost: localhost:5000\r\nx:\rTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n", 0, 'error'],
  ["Empty headers separated by LF", "POST / HTTP/1.1\r\nHost: localhost:5000\r\nx:\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n", 0, 'error'],
  ["Invalid header token #1", "GET / HTTP/1.1\r\nFo@: Failure\r\n\r\n", 0, 'error'],
  ["Invalid header token #2", "GET / HTTP/1.1\r\nFoo\u0001\test: Bar\r\n\r\n", 0, 'error'],
  ["Invalid header token #3", "GET / HTTP/1.1\r\n: Bar\r\n\r\n", 0, 'error'],
  ["Invalid method", "MKCOLA / HTTP/1.1\r\n\r\n", 0, 'error'],
  ["Illegal header field name line folding", "GET / HTTP/1.1\r\nname\r\n : value\r\n\r\n", 0, 'error'],
  ["Corrupted Connection header", "GET / HTTP/1.1\r\nHost: www.example.com\r\nConnection\r\u001b5Õeep-Alive\r\nAccept-Encoding: gzip\r\n\r\n", 0, 'error'],
  ["Corrupted header name", "GET / HTTP/1.1\r\nHost: www.example.com\r\nX-Some-Header\r\u001b5Õeep-Alive\r\nAccept-Encoding: gzip\r\n\r\n", 0, 'error'],
  ["Missing CR between headers", "GET / HTTP/1.1\r\nHost: localhost\r\nDummy: x\nContent-Length: 23\r\n\r\nGET / HTTP/1.1\r\nDummy: GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n", 0, 'error'],
  ["Invalid HTTP version", "GET / HTTP/5.6", 0, 'error'],
  ["Invalid space after start line", "GET / HTTP/1.1\r\n Host: foo", 0, 'error'],
  ["Only LFs present", "POST / HTTP/1.1\nTransfer-Encoding: chunked\nTrailer: Baz\r\nFoo: abc\nBar: def\n\n1\nA\n1;abc\nB\n1;def=ghi\nC\n1;jkl=\"mno\"\nD\n0\n\nBaz: ghi\n\n\\", 0, 'error'],
  ["Spaces before headers", "POST /hello HTTP/1.1\r\nHost: localhost\r\nFoo: bar\r\n Content-Length: 38\r\n\r\nGET /bye HTTP/1.1\r\nHost: localhost\r\n\r\n", 0, 'error'],
  // test/request/method.md
  ["REPORT request", "REPORT /test HTTP/1.1\r\n\r\n", 1, 'ok'],
  ["CONNECT request", "CONNECT 0-home0.netscape.com:443 HTTP/1.0\r\nUser-agent: Mozilla/1.1N\r\nProxy-authorization: basic aGVsbG86d29ybGQ=\r\n\r\nsome data\r\nand yet even more data", 1, 'upgrade'],
  ["CONNECT request with CAPS", "CONNECT HOME0.NETSCAPE.COM:443 HTTP/1.0\r\nUser-agent: Mozilla/1.1N\r\nProxy-authorization: basic aGVsbG86d29ybGQ=\r\n\r\n", 1, 'upgrade'],
  ["CONNECT with body", "CONNECT foo.bar.com:443 HTTP/1.0\r\nUser-agent: Mozilla/1.1N\r\nProxy-authorization: basic aGVsbG86d29ybGQ=\r\nContent-Length: 10\r\n\r\nblarfcicle\"", 1, 'upgrade'],
  ["M-SEARCH request", "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nST: \"ssdp:all\"\r\n\r\n", 1, 'ok'],
  ["PATCH request", "PATCH /file.txt HTTP/1.1\r\nHost: www.example.com\r\nContent-Type: application/example\r\nIf-Match: \"e0023aa4e\"\r\nContent-Length: 10\r\n\r\ncccccccccc", 1, 'ok'],
  ["PURGE request", "PURGE /file.txt HTTP/1.1\r\nHost: www.example.com\r\n\r\n", 1, 'ok'],
  ["SEARCH request", "SEARCH / HTTP/1.1\r\nHost: www.example.com\r\n\r\n", 1, 'ok'],
  ["LINK request", "LINK /images/my_dog.jpg HTTP/1.1\r\nHost: example.com\r\nLink: <http://example.com/profiles/joe>; rel=\"tag\"\r\nLink: <http://example.com/profiles/sally>; rel=\"tag\"\r\n\r\n", 1, 'ok'],
  ["LINK request", "UNLINK /images/my_dog.jpg HTTP/1.1\r\nHost: example.com\r\nLink: <http://example.com/profiles/sally>; rel=\"tag\"\r\n\r\n", 1, 'ok'],
  ["SOURCE request", "SOURCE /music/sweet/music HTTP/1.1\r\nHost: example.com\r\n\r\n", 1, 'ok'],
  ["SOURCE request with ICE", "SOURCE /music/sweet/music ICE/1.0\r\nHost: example.com\r\n\r\n", 1, 'ok'],
  ["OPTIONS request with RTSP", "OPTIONS /music/sweet/music RTSP/1.0\r\nHost: example.com\r\n\r\n", 1, 'ok'],
  ["ANNOUNCE request with RTSP", "ANNOUNCE /music/sweet/music RTSP/1.0\r\nHost: example.com\r\n\r\n", 1, 'ok'],
  ["PRI request HTTP2", "PRI * HTTP/1.1\r\n\r\nSM\r\n\r\n", 0, 'error'],
  ["QUERY request", "QUERY /contacts HTTP/1.1\r\nHost: example.org\r\nContent-Type: example/query\r\nAccept: text/csv\r\nContent-Length: 41\r\n\r\nselect surname, givenname, email limit 10", 1, 'ok'],
  // test/request/pipelining.md
  ["Should parse multiple events", "POST /aaa HTTP/1.1\r\nContent-Length: 3\r\n\r\nAAA\r\nPUT /bbb HTTP/1.1\r\nContent-Length: 4\r\n\r\nBBBB\r\nPATCH /ccc HTTP/1.1\r\nContent-Length: 5\r\n\r\nCCCC", 2, 'ok'],
  // test/request/sample.md
  ["Simple request", "OPTIONS /url HTTP/1.1\r\nHeader1: Value1\r\nHeader2:\t Value2\r\n\r\n", 1, 'ok'],
  ["Request with method starting with `H`", "HEAD /url HTTP/1.1\r\n\r\n", 1, 'ok'],
  ["curl GET", "GET /test HTTP/1.1\r\nUser-Agent: curl/7.18.0 (i486-pc-linux-gnu) libcurl/7.18.0 OpenSSL/0.9.8g zlib/1.2.3.3 libidn/1.1\r\nHost: 0.0.0.0=5000\r\nAccept: */*\r\n\r\n", 1, 'ok'],
  ["Firefox GET", "GET /favicon.ico HTTP/1.1\r\nHost: 0.0.0.0=5000\r\nUser-Agent: Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9) Gecko/2008061015 Firefox/3.0\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-us,en;q=0.5\r\nAccept-Encoding: gzip,deflate\r\nAccept-Charset: ISO-8859-1,utf-8;q=0.7,*;q=0.7\r\nKeep-Alive: 300\r\nConnection: keep-alive\r\n\r\n", 1, 'ok'],
  ["DUMBPACK", "GET /dumbpack HTTP/1.1\r\naaaaaaaaaaaaa:++++++++++\r\n\r\n", 1, 'ok'],
  ["No headers and no body", "GET /get_no_headers_no_body/world HTTP/1.1\r\n\r\n", 1, 'ok'],
  ["One header and no body", "GET /get_one_header_no_body HTTP/1.1\r\nAccept: */*\r\n\r\n", 1, 'ok'],
  ["Apache bench GET", "GET /test HTTP/1.0\r\nHost: 0.0.0.0:5000\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n", 1, 'ok'],
  ["Prefix newline", "\r\nGET /test HTTP/1.1\r\n\r\n", 1, 'ok'],
  ["No HTTP version", "GET /\r\n\r\n", 1, 'ok'],
  ["Line folding in header value with LF", "GET / HTTP/1.1\r\nLine1:   abc\n\tdef\n ghi\n\t\tjkl\n  mno \n\t \tqrs\nLine2: \t line2\t\nLine3:\n line3\nLine4: \n \nConnection:\n close\n\n", 0, 'error'],
  ["No LF after CR", "GET / HTTP/1.1\rLine: 1\r\n", 0, 'error'],
  ["Request starting with CRLF", "\r\nGET /url HTTP/1.1\r\nHeader1: Value1\r\n\r\n", 1, 'ok'],
  ["Extended Characters", "GET / HTTP/1.1\r\nTest: Düsseldorf\r\n\r\n", 1, 'ok'],
  ["255 ASCII in header value", "OPTIONS /url HTTP/1.1\r\nHeader1: Value1\r\nHeader2: ÿValue2\r\n\r\n", 1, 'ok'],
  // test/request/transfer-encoding.md
  ["Parsing and setting flag", "PUT /url HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 'ok'],
  ["Parse chunks with lowercase size", "PUT /url HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n", 1, 'ok'],
  ["Parse chunks with uppercase size", "PUT /url HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", 1, 'ok'],
  ["POST with `Transfer-Encoding: chunked`", "POST /post_chunked_all_your_base HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1e\r\nall your base are belong to us\r\n0\r\n\r\n", 1, 'ok'],
  ["Two chunks and triple zero prefixed end chunk", "POST /two_chunks_mult_zero_end HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n000\r\n\r\n", 1, 'ok'],
  ["Trailing headers", "POST /chunked_w_trailing_headers HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nVary: *\r\nContent-Type: text/plain\r\n\r\n", 1, 'ok'],
  ["Chunk extensions", "POST /chunked_w_unicorns_after_length HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ilovew3;somuchlove=aretheseparametersfor;another=withvalue\r\nhello\r\n6;blahblah;blah\r\n world\r\n0\r\n", 0, 'ok'],
  ["No semicolon before chunk extensions", "POST /chunked_w_unicorns_after_length HTTP/1.1\r\nHost: localhost\r\nTransfer-encoding: chunked\r\n\r\n2 erfrferferf\r\naa\r\n0 rrrr\r\n\r\n", 0, 'error'],
  ["No extension after semicolon", "POST /chunked_w_unicorns_after_length HTTP/1.1\r\nHost: localhost\r\nTransfer-encoding: chunked\r\n\r\n2;\r\naa\r\n0\r\n\r\n", 0, 'error'],
  ["Chunk extensions quoting", "POST /chunked_w_unicorns_after_length HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ilovew3=\"I \\\"love\\\"; \\\\extensions\\\\\";somuchlove=\"aretheseparametersfor\";blah;foo=bar\r\nhello\r\n6;blahblah;blah\r\n world\r\n0\r\n", 0, 'ok'],
  ["Unbalanced chunk extensions quoting", "POST /chunked_w_unicorns_after_length HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ilovew3=\"abc\";somuchlove=\"def; ghi\r\nhello\r\n6;blahblah;blah\r\n world\r\n0\r\n", 0, 'error'],
  ["Ignoring `pigeons`", "PUT /url HTTP/1.1\r\nTransfer-Encoding: pigeons\r\n\r\n", 0, 'error'],
  ["POST with `Transfer-Encoding` and `Content-Length`", "POST /post_identity_body_world?q=search#hey HTTP/1.1\r\nAccept: */*\r\nTransfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nWorld", 0, 'error'],
  ["POST with empty `Transfer-Encoding` and `Content-Length` (lenient)", "POST / HTTP/1.1\r\nHost: foo\r\nContent-Length: 10\r\nTransfer-Encoding:\r\nTransfer-Encoding:\r\nTransfer-Encoding:\r\n\r\n2\r\nAA\r\n0", 0, 'error'],
  ["POST with `chunked` before other transfer coding names", "POST /post_identity_body_world?q=search#hey HTTP/1.1\r\nAccept: */*\r\nTransfer-Encoding: chunked, deflate\r\n\r\nWorld", 0, 'error'],
  ["POST with `chunked` and duplicate transfer-encoding", "POST /post_identity_body_world?q=search#hey HTTP/1.1\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: deflate\r\n\r\nWorld", 0, 'error'],
  ["POST with `chunked` as last transfer-encoding", "POST /post_identity_body_world?q=search#hey HTTP/1.1\r\nAccept: */*\r\nTransfer-Encoding: deflate, chunked\r\n\r\n5\r\nWorld\r\n0\r\n\r\n", 1, 'ok'],
  ["POST with `chunked` as last transfer-encoding (multiple headers)", "POST /post_identity_body_world?q=search#hey HTTP/1.1\r\nAccept: */*\r\nTransfer-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nWorld\r\n0\r\n\r\n", 1, 'ok'],
  ["POST with `chunkedchunked` as transfer-encoding", "POST /post_identity_body_world?q=search#hey HTTP/1.1\r\nAccept: */*\r\nTransfer-Encoding: chunkedchunked\r\n\r\n5\r\nWorld\r\n0\r\n\r\n", 0, 'error'],
  ["Missing last-chunk", "PUT /url HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n\r\n", 0, 'error'],
  ["Validate chunk parameters", "PUT /url HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3 \n  \r\nfoo\r\n\r\n", 0, 'error'],
  ["Chunk header not terminated by CRLF", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close \r\nTransfer-Encoding: chunked \r\n\r\n5\r\r;ABCD\r\n34\r\nE\r\n0\r\n\r\nGET / HTTP/1.1 \r\nHost: a\r\nContent-Length: 5\r\n\r\n0\r\n", 0, 'error'],
  ["Chunk data not terminated by CRLF", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close \r\nTransfer-Encoding: chunked \r\n\r\n5\r\nABCDE0\r\n", 0, 'error'],
  ["Space after chunk header", "PUT /url HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\na \r\n0123456789\r\n0\r\n\r\n", 0, 'error'],
  // test/request/uri.md
  ["Quotes in URI", "GET /with_\"lovely\"_quotes?foo=\\\"bar\\\" HTTP/1.1\r\n\r\n", 1, 'ok'],
  ["Query URL with question mark", "GET /test.cgi?foo=bar?baz HTTP/1.1\r\n\r\n", 1, 'ok'],
  ["Host terminated by a query string", "GET http://hypnotoad.org?hail=all HTTP/1.1\r\n\r\n\r\n", 1, 'ok'],
  ["`host:port` terminated by a query string", "GET http://hypnotoad.org:1234?hail=all HTTP/1.1\r\n\r\n", 1, 'ok'],
  ["Query URL with vertical bar character", "GET /test.cgi?query=| HTTP/1.1\r\n\r\n", 1, 'ok'],
  ["`host:port` terminated by a space", "GET http://hypnotoad.org:1234 HTTP/1.1\r\n\r\n", 1, 'ok'],
  ["Disallow UTF-8 in URI path in strict mode", "GET /δ¶/δt/pope?q=1#narf HTTP/1.1\r\nHost: github.com\r\n\r\n", 0, 'error'],
  ["Fragment in URI", "GET /forums/1/topics/2375?page=1#posts-17408 HTTP/1.1\r\n\r\n", 1, 'ok'],
  ["Underscore in hostname", "CONNECT home_0.netscape.com:443 HTTP/1.0\r\nUser-agent: Mozilla/1.1N\r\nProxy-authorization: basic aGVsbG86d29ybGQ=\r\n\r\n", 1, 'upgrade'],
  ["`host:port` and basic auth", "GET http://a%12:b!&*$@hypnotoad.org:1234/toto HTTP/1.1\r\n\r\n", 1, 'ok'],
  ["Space in URI", "GET /foo bar/ HTTP/1.1\r\n\r\n", 0, 'error'],
];

function check(name: string, input: string, messages: number, outcome: Outcome, cuts: number[]): void {
  const expected = DIFFERENT[name] ?? outcome;
  const r = parseStream(Buffer.from(input, 'latin1'), cuts);
  const where = `${name} ${JSON.stringify(input)} cut at ${JSON.stringify(cuts)}`;
  if (expected === 'error') return assert.equal(r.end, 'error', where);
  assert.notEqual(r.end, 'error', where);
  assert.equal(r.messages.length, messages, where);
  if (expected === 'upgrade') assert.equal(r.end, 'upgrade', where);
  if (expected === 'close') assert.equal(r.end, 'close', where);
}

describe('request parser: llhttp test/request/*.md cases', () => {
  for (const [name, input, messages, outcome] of CASES) {
    test(name, () => {
      check(name, input, messages, outcome, []);
      for (let cut = 1; cut < input.length; cut++) check(name, input, messages, outcome, [cut]);
    });
  }
});
