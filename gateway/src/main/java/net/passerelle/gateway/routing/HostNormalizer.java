package net.passerelle.gateway.routing;

import net.passerelle.admin.model.HostNames;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the authority a client sent (Host header or absolute-form target) into the key of the routing table, with
 * the same rules the store applies to registered names ({@link HostNames}): lower case, no port, no trailing dot,
 * internationalised names in punycode. Returns {@code null} for anything that is not a host name or an IP literal,
 * which the gateway answers with 400.
 *
 * <p>The one thing specific to the request path: header bytes reach the gateway as ISO-8859-1 characters, so a
 * raw UTF-8 IDN is decoded again first. An already-normal ASCII name is returned as it is, without allocating.
 */
public final class HostNormalizer {
    private HostNormalizer() {
    }

    public static String normalize(CharSequence authority) {
        if (authority == null) {
            return null;
        }
        String s = authority.toString();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                s = redecodeUtf8(s);
                break;
            }
        }
        return HostNames.normalize(s);
    }

    private static String redecodeUtf8(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return s; // already real Unicode (configuration), not header bytes
            }
        }
        byte[] raw = s.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            return s; // Latin-1 text, not UTF-8 bytes: take the characters as they are
        }
    }
}
