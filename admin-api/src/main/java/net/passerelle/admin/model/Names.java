package net.passerelle.admin.model;

import java.util.regex.Pattern;

/** Validation of the names that ops choose: groups and classification profiles. */
public final class Names {

    /** Group and profile names: lower-case letters, digits, {@code .}, {@code _}, {@code -}; 1 to 63 characters. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private Names() {
    }

    /** Whether {@code name} is a valid group name. */
    public static boolean isValidGroupName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Returns {@code name} if it is a valid group name.
     *
     * @throws IllegalArgumentException saying what a group name may be
     */
    public static String requireGroupName(String name) {
        return require("group", name);
    }

    /**
     * Returns {@code name} if it is a valid profile name.
     *
     * @throws IllegalArgumentException saying what a profile name may be
     */
    public static String requireProfileName(String name) {
        return require("profile", name);
    }

    private static String require(String what, String name) {
        if (!isValidGroupName(name)) {
            throw new IllegalArgumentException("invalid " + what + " name '" + name
                    + "': expected 1 to 63 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
        return name;
    }
}
