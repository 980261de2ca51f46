package net.passerelle.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The headers of one message as two parallel arrays, looked up by a linear, case-insensitive scan. A proxied
 * message has a dozen headers and is read a few times: for that, a scan beats {@code DefaultHttpHeaders}'s hash
 * table, and a header costs two array slots instead of a hash entry object (which was one sixth of the garbage of a
 * proxied request). Names are checked as tokens when added, as Netty's decoder wants; values are not (the strict
 * decoder has scanned the whole header block already, and what the gateway adds is its own). Not thread-safe, like
 * the message it belongs to.
 */
public final class CompactHttpHeaders extends HeaderArrays {
    /** For decoders: every request or response head gets its own, empty, with room for a browser's headers. */
    public static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new CompactHttpHeaders(16);
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new CompactHttpHeaders(2);
        }
    };

    /**
     * For decoders' trailers: a message's last content gets its own, almost always to stay empty, so it holds no
     * arrays until a trailer arrives. Netty's default made a {@code DefaultHttpHeaders} per request or response with
     * a body (a 16-slot hash table: 8 % of the bytes a proxied request allocated). Values are checked as that
     * default checks them: a control character in a trailer is a malformed message.
     */
    public static final HttpHeadersFactory TRAILERS = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new CompactHttpHeaders(0, true);
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new CompactHttpHeaders(0, true);
        }
    };

    /** {@link #encode}'s array, per event loop: big enough for a browser's or a web server's header block; a larger one gets an array of its own. */
    private static final int BLOCK_BYTES = 8192;
    private static final FastThreadLocal<byte[]> BLOCK = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[BLOCK_BYTES];
        }
    };

    public CompactHttpHeaders(int capacity) {
        this(capacity, false);
    }

    /**
     * @param validateValues check each value as Netty's default headers do: trailers, which the strict decoder's
     *                       scan of the header block does not see
     */
    CompactHttpHeaders(int capacity, boolean validateValues) {
        super(capacity, validateValues);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : values[i].toString();
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        int first = indexOf(name, 0);
        if (first < 0) {
            return List.of();
        }
        int second = indexOf(name, first + 1);
        if (second < 0) {
            return List.of(values[first].toString());
        }
        List<String> all = new ArrayList<>(4);
        all.add(values[first].toString());
        for (int i = second; i >= 0; i = indexOf(name, i + 1)) {
            all.add(values[i].toString());
        }
        return all;
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        Iterator<? extends CharSequence> it = valueCharSequenceIterator(name);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public String next() {
                return it.next().toString();
            }
        };
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        return new Iterator<>() {
            private int next = indexOf(name, 0);

            @Override
            public boolean hasNext() {
                return next >= 0;
            }

            @Override
            public CharSequence next() {
                if (next < 0) {
                    throw new NoSuchElementException();
                }
                CharSequence v = values[next];
                next = indexOf(name, next + 1);
                return v;
            }
        };
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(new AbstractMap.SimpleImmutableEntry<>(names[i].toString(), values[i].toString()));
        }
        return all;
    }

    @Override
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = values[i];
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(v, value) : AsciiString.contentEquals(v, value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, value, ignoreCase);
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                int i = next++;
                return new AbstractMap.SimpleImmutableEntry<>(names[i], values[i]);
            }
        };
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> all = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            all.add(names[i].toString());
        }
        return all;
    }

    /**
     * Writes the header block ({@code name: value\r\n} per header) into {@code out}, as the HTTP/1.1 encoders do,
     * without an entry object per header. The block is laid out in a per-thread array and written with one call:
     * four buffer writes per header, each checking the buffer's bounds and reference count, cost more than the copy
     * (HeadersBenchmark).
     */
    public void encode(ByteBuf out) {
        int length = 0;
        for (int i = 0; i < size; i++) {
            length += names[i].length() + values[i].length() + 4;
        }
        byte[] block = length <= BLOCK_BYTES ? BLOCK.get() : new byte[length];
        int p = 0;
        for (int i = 0; i < size; i++) {
            p = put(block, p, names[i]);
            block[p++] = ':';
            block[p++] = ' ';
            p = put(block, p, values[i]);
            block[p++] = '\r';
            block[p++] = '\n';
        }
        out.writeBytes(block, 0, p);
    }

    /** Writes {@code s} as ISO-8859-1, as Netty's encoders do: a character above U+00FF becomes {@code ?}. */
    private static int put(byte[] block, int p, CharSequence s) {
        int n = s.length();
        if (s instanceof AsciiString a) {
            System.arraycopy(a.array(), a.arrayOffset(), block, p, n);
            return p + n;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            block[p + i] = c > 0xff ? (byte) '?' : (byte) c;
        }
        return p + n;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(validName(name), valueOf(value));
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        validName(name);
        for (Object v : values) {
            append(name, valueOf(v));
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        CharSequence v = valueOf(value);
        int i = indexOf(validName(name), 0);
        if (i < 0) {
            append(name, v);
            return this;
        }
        values[i] = v;
        for (int j = indexOf(name, i + 1); j >= 0; j = indexOf(name, j)) {
            removeAt(j);
        }
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        remove(name);
        return add(name, values);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i)) {
            removeAt(i);
        }
        return this;
    }

    @Override
    public HttpHeaders clear() {
        Arrays.fill(names, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
        return this;
    }

    @Override
    public HttpHeaders copy() {
        CompactHttpHeaders copy = new CompactHttpHeaders(Math.max(2, size), validateValues);
        System.arraycopy(names, 0, copy.names, 0, size);
        System.arraycopy(values, 0, copy.values, 0, size);
        copy.size = size;
        return copy;
    }
}
