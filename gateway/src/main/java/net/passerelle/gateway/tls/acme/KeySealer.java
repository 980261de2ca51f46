package net.passerelle.gateway.tls.acme;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Seals private keys before they go to the store: AES-256-GCM under a key derived (PBKDF2) from
 * {@code tls.acme.storeKey}, as {@code gcm1:<base64 of nonce|ciphertext>}. Without a configured key they are
 * stored as {@code plain:<base64>}, with a warning at start: anyone who reads the database then has them.
 */
public final class KeySealer {
    private static final Logger log = LoggerFactory.getLogger(KeySealer.class);
    private static final String SEALED = "gcm1:";
    private static final String PLAIN = "plain:";
    private static final byte[] SALT = "passerelle tls.acme.storeKey v1".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    /** @param secret {@code tls.acme.storeKey}, or null to store keys plainly */
    public KeySealer(String secret) {
        if (secret == null) {
            key = null;
            log.warn("tls.acme.storeKey is not set: ACME private keys are stored in the store unencrypted");
            return;
        }
        try {
            PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), SALT, 100_000, 256);
            key = new SecretKeySpec(SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded(), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the store key", e);
        }
    }

    public String seal(byte[] secret) {
        if (key == null) {
            return PLAIN + Base64.getEncoder().encodeToString(secret);
        }
        try {
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] sealed = c.doFinal(secret);
            return SEALED + Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a key", e);
        }
    }

    /** @throws IllegalArgumentException when the data is sealed with another key, or sealed and no key is set */
    public byte[] open(String data) {
        if (data.startsWith(PLAIN)) {
            return Base64.getDecoder().decode(data.substring(PLAIN.length()));
        }
        if (!data.startsWith(SEALED)) {
            throw new IllegalArgumentException("unknown key format in the store");
        }
        if (key == null) {
            throw new IllegalArgumentException("the key is sealed in the store but tls.acme.storeKey is not set");
        }
        byte[] all = Base64.getDecoder().decode(data.substring(SEALED.length()));
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
            return c.doFinal(all, 12, all.length - 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key in the store does not open with tls.acme.storeKey", e);
        }
    }
}
