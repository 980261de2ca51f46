package net.passerelle.gateway.policy;

import java.util.List;
import java.util.Set;

/**
 * The built-in {@code piwigo} profile: what Piwigo's own traffic reads and writes.
 *
 * <h2>Sources</h2>
 * The lists below were derived from Piwigo's source, GitHub repository {@code Piwigo/Piwigo}:
 * <ul>
 * <li>{@code ws.php} at commit {@code 002abf87df0ed58183ab6f794b9b620cbe9cf083} (the Piwigo 13/14 series: it has
 *     {@code pwg.images.uploadAsync}, {@code pwg.images.formats.*}, {@code pwg.activity.*}, {@code pwg.history.log});
 *     every {@code $service->addMethod('pwg.…')} there is in {@link #WS_READ_METHODS} or is a write, and the
 *     test corpus {@code src/test/resources/piwigo/ws-methods.tsv} lists them all with their options;</li>
 * <li>{@code include/ws_core.inc.php} (commit {@code 07b8dd5770c1bdcaac799df76c324a2baf2e2c66}): the reflection
 *     methods {@code reflection.getMethodList} and {@code reflection.getMethodDetails} that {@code PwgServer::run()}
 *     adds, and {@code PwgServer::isPost()} ({@code !empty($_POST)});</li>
 * <li>{@code include/ws_functions/pwg.comments.php} (commit {@code 57042cc475712736ccdb8707e47aea67aa217065},
 *     "@since 16"): {@code ws_userComments_getList} only reads (registered as {@code pwg.userComments.getList});
 *     {@code pwg.userComments.delete} and {@code .validate} write, and as unknown names they are writes anyway;</li>
 * <li>{@code include/ws_protocols/rest_handler.php} (commit {@code 96df99364752e82860b1e36e847b94643c42c0b3}):
 *     how the method name is read, see below.</li>
 * </ul>
 * Anything not on the allow-list (a newer Piwigo's method, a plugin's method, a typo, another case) is a write:
 * a profile rule can declare more reads ({@code param: method, values: [...], class: read}).
 *
 * <h2>How Piwigo finds the method, and what the classifier does with it</h2>
 * {@code PwgRestRequestHandler::handleRequest} iterates {@code $_POST} when {@code isPost()} (a non-empty
 * {@code $_POST}) and {@code $_GET} otherwise, takes the entry whose key {@code == 'method'} (the last one wins), then,
 * if that is {@code empty()}, falls back to {@code $_GET['method']}. It reads neither {@code $_REQUEST} nor the raw
 * body. So a POST body's {@code method} wins over the query string's. The classifier is stricter than this: it
 * collects every {@code method} occurrence, in the query string and (for a POST whose body PHP parses, i.e.
 * urlencoded or multipart) in the body, and says READ only when there is at least one and every one of them is an
 * allow-listed read. The reasons: PHP keeps the last duplicate, and which one is "last" or even registered depends on
 * settings ({@code max_input_vars} silently drops variables past the 1000th, {@code arg_separator.input});
 * a body {@code method} that is {@code empty()} ("" or "0") defers to the query string; and with PHP 7's loose
 * comparison an integer key {@code 0} {@code == 'method'}, so a parameter named {@code 0} is treated as a method too.
 * It follows that a READ from a body needs the whole body within the peek limit (a {@code method} further on could
 * override it); read calls are small, so the 4 KiB default is ample.
 *
 * <h2>Signing in and out: one rule, {@code classification.signInDuringReadOnly}</h2>
 * Signing in changes the caller's session, not gallery data, and read-only visitors must be able to sign in to read
 * their private albums during a migration. So with {@code signInDuringReadOnly: true} (the default) every way of
 * signing in or out is a READ: {@code ws.php}'s {@code pwg.session.login} and {@code pwg.session.logout}, the HTML
 * login page {@code identification.php} (its form by GET, its submission by POST: that page does nothing else), and
 * Piwigo's logout link {@code ?act=logout}, which {@code include/user.inc.php} honours on any page. With
 * {@code false} all of them are WRITEs: the two methods leave the allow-list, {@code identification.php} writes
 * whatever the method, and a request whose query has {@code act=logout} writes whatever its page. Registration,
 * password reset and the profile page write in both cases.
 *
 * <h2>Decisions</h2>
 * <ul>
 * <li>Unsure means write: {@code pwg.getCacheSize} (stores the computed sizes in the configuration),
 *     {@code pwg.images.checkUpload} (may create the upload directory), {@code pwg.extensions.checkUpdates}
 *     (caches the update check), {@code pwg.activity.downloadLog}, {@code pwg.users.getAuthKey} (creates a key),
 *     {@code pwg.history.log} (inserts a history row).</li>
 * <li>Only GET, HEAD, OPTIONS and POST reach the method test: PHP runs {@code ws.php} for HEAD and OPTIONS as it does
 *     for GET, so a HEAD with a write method is a write. PUT, DELETE and the rest stay writes.</li>
 * <li>A call without any method is a write (fail closed), though Piwigo answers it with an error.</li>
 * <li>A POST with a body that PHP does not parse into {@code $_POST} (JSON, no Content-Type, compressed) is a
 *     write, though PHP would go by the query string: no Piwigo client sends one.</li>
 * </ul>
 *
 * <h2>Pages</h2>
 * {@code picture.php} with an {@code action} query parameter (add_to_favorites, remove_from_favorites,
 * set_as_representative, add_to_caddie, rate, edit_comment, delete_comment, validate_comment: any action, whatever
 * the HTTP method) and any POST to it (comment form); {@code comments.php} POSTs and its {@code delete},
 * {@code validate}, {@code edit} query actions; {@code identification.php}, {@code register.php},
 * {@code password.php}, {@code profile.php}, {@code admin.php} whatever the method (product spec), and
 * {@code install.php}, {@code upgrade.php} (they rewrite the database). Script names are matched on the first path
 * segment that names a PHP script, case-insensitively and with or without {@code .php}, so an installation in a
 * sub-directory, PATH_INFO, {@code ;params} and case games reach the same rule.
 */
final class PiwigoProfile implements BaseProfile {
    static final String METHOD_PARAM = "method";
    /** PHP 7: {@code 0 == 'method'} is true, so an integer key 0 is taken as the method by handleRequest. */
    static final String PHP7_METHOD_ALIAS = "0";

    /** ws.php methods that only read. Source: ws.php and include/ws_core.inc.php, see the class comment. */
    static final Set<String> WS_READ_METHODS = Set.of(
            // ws.php (002abf87), in registration order
            "pwg.getVersion",
            "pwg.getInfos",                      // admin_only
            "pwg.activity.getList",              // admin_only
            "pwg.categories.getImages",
            "pwg.categories.getList",
            "pwg.getMissingDerivatives",         // admin_only; lists URLs, builds nothing
            "pwg.images.getInfo",
            "pwg.images.search",
            "pwg.images.formats.searchImage",    // admin_only, post_only; a lookup
            "pwg.session.getStatus",
            "pwg.session.login",                 // post_only; session only: see "Signing in and out"
            "pwg.session.logout",                // session only: see "Signing in and out"
            "pwg.tags.getList",
            "pwg.tags.getImages",
            "pwg.categories.calculateOrphans",   // admin_only; counts
            "pwg.categories.getAdminList",       // admin_only
            "pwg.tags.getAdminList",             // admin_only
            "pwg.images.exist",                  // admin_only
            "pwg.images.checkFiles",             // admin_only
            "pwg.plugins.getList",               // admin_only
            "pwg.groups.getList",                // admin_only
            "pwg.users.getList",                 // admin_only
            "pwg.permissions.getList",           // admin_only
            "pwg.users.favorites.getList",
            "pwg.history.search",
            // include/ws_core.inc.php, PwgServer::run()
            "reflection.getMethodList",
            "reflection.getMethodDetails",
            // include/ws_functions/pwg.comments.php (Piwigo 16)
            "pwg.userComments.getList");

    /** Lower-cased script names (without .php) the profile knows; see {@link RequestFacts#script()}. */
    static final Set<String> SCRIPT_BASE_NAMES = Set.of("ws", "picture", "comments", "identification", "register",
            "password", "profile", "admin", "install", "upgrade");

    /** Pages that write whatever the method. */
    static final Set<String> WRITE_PAGES = Set.of("register.php", "password.php",
            "profile.php", "admin.php", "install.php", "upgrade.php");

    /** Signing in and out: see "Signing in and out" above. */
    static final Set<String> SIGN_IN_METHODS = Set.of("pwg.session.login", "pwg.session.logout");
    static final String SIGN_IN_PAGE = "identification.php";

    private static final List<String> COMMENTS_ACTIONS = List.of("delete", "validate", "edit");

    /** The default: signing in and out passes in read-only. */
    static final PiwigoProfile INSTANCE = new PiwigoProfile(true);
    private static final PiwigoProfile NO_SIGN_IN = new PiwigoProfile(false);

    private final boolean signIn;

    private PiwigoProfile(boolean signInDuringReadOnly) {
        this.signIn = signInDuringReadOnly;
    }

    static PiwigoProfile of(boolean signInDuringReadOnly) {
        return signInDuringReadOnly ? INSTANCE : NO_SIGN_IN;
    }

    @Override
    public RequestClass evaluate(RequestFacts f, Params body) {
        RequestClass byMethod = BaseProfile.byMethod(f.httpMethod);
        if (byMethod == RequestClass.REFUSED) {
            return byMethod;
        }
        if (!signIn && signsOut(f)) {
            return RequestClass.WRITE;
        }
        String script = f.script();
        if (script == null) {
            return byMethod;
        }
        if (script.equals(RequestFacts.AMBIGUOUS_SCRIPT) || WRITE_PAGES.contains(script)) {
            return RequestClass.WRITE;
        }
        switch (script) {
            case SIGN_IN_PAGE:
                if (!signIn) {
                    return RequestClass.WRITE;
                }
                return "POST".equals(f.httpMethod) ? RequestClass.READ : byMethod; // the form, and its submission
            case "ws.php":
                return webService(f, body);
            case "picture.php":
                if (!f.query().all("action").isEmpty() || "POST".equals(f.httpMethod)) {
                    return RequestClass.WRITE;
                }
                return byMethod;
            case "comments.php":
                if ("POST".equals(f.httpMethod)) {
                    return RequestClass.WRITE;
                }
                for (String action : COMMENTS_ACTIONS) {
                    if (!f.query().all(action).isEmpty()) {
                        return RequestClass.WRITE;
                    }
                }
                return byMethod;
            default:
                return byMethod;
        }
    }

    /** Piwigo's {@code ?act=logout}, on any page ({@code include/user.inc.php}); an array value counts too. */
    private static boolean signsOut(RequestFacts f) {
        for (String v : f.query().all("act")) {
            if (v == null || v.equals("logout")) {
                return true;
            }
        }
        return false;
    }

    private RequestClass webService(RequestFacts f, Params body) {
        switch (f.httpMethod) {
            case "GET", "HEAD", "OPTIONS", "POST" -> { }
            default -> {
                return BaseProfile.byMethod(f.httpMethod);
            }
        }
        if ("POST".equals(f.httpMethod) && f.hasBody && !f.formBody) {
            // PHP leaves such a body (JSON, XML, text, no Content-Type) out of $_POST, so Piwigo would go by the
            // query string; but no Piwigo client sends one, and another front end might parse it: fail closed.
            return RequestClass.WRITE;
        }
        Params query = f.query();
        int seen = 0;
        int r = check(query.all(METHOD_PARAM));
        if (r < 0) {
            return RequestClass.WRITE;
        }
        seen += r;
        r = check(query.all(PHP7_METHOD_ALIAS));
        if (r < 0) {
            return RequestClass.WRITE;
        }
        seen += r;
        if (f.formBody) {
            if (body == null) {
                return null;
            }
            r = check(body.all(METHOD_PARAM));
            if (r < 0) {
                return RequestClass.WRITE;
            }
            seen += r;
            r = check(body.all(PHP7_METHOD_ALIAS));
            if (r < 0) {
                return RequestClass.WRITE;
            }
            seen += r;
        }
        return seen > 0 ? RequestClass.READ : RequestClass.WRITE;
    }

    /** -1 when one value is not an allow-listed read, else the number of values. */
    private int check(List<String> values) {
        for (String v : values) {
            if (v == null || !WS_READ_METHODS.contains(v) || (!signIn && SIGN_IN_METHODS.contains(v))) {
                return -1;
            }
        }
        return values.size();
    }
}
