package net.passerelle.gateway.ops;

import net.passerelle.admin.api.OpsRoutes;
import net.passerelle.gateway.testing.OpsGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ops page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code .ci/run} installs): log in, see the groups, put one read-only through the page (confirming it), and see the
 * gateway refuse a write to a host of that group; follow a migration from awaiting-copy, past its read-only limit, to
 * done after continuing it through the page. Screenshots at phone and desktop widths go to
 * {@code target/ops-page-*.png}.
 */
class OpsPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    @TempDir
    static Path dir;
    static OpsGateway ops;
    static ChromeDriver driver;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "this test needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
        ops = new OpsGateway(dir);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")), "--window-size=1280,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (ops != null) {
            ops.close();
        }
    }

    /** A wait that looks again when the page redrew what it was reading (a card whose data changed is rebuilt). */
    private static org.openqa.selenium.support.ui.FluentWait<org.openqa.selenium.WebDriver> waitUpTo(int seconds) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    @Test
    void logInSeeTheGroupsPutOneReadOnlyAndTheGatewayEnforcesIt() throws Exception {
        java.time.Instant start = java.time.Instant.now().plus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        assertEquals(200, ops.admin("PUT", "/v1/groups/srv-13/window", "{\"start\": \"" + start + "\", \"end\": \""
                + start.plus(Duration.ofMinutes(90)) + "\", \"mode\": \"maintenance\"}").status());
        driver.get(ops.adminUrl() + "/");
        assertTrue(driver.findElement(By.id("login")).isDisplayed());
        driver.findElement(By.id("token")).sendKeys("not-the-token");
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("login-error")).getText().contains("refused"));

        driver.findElement(By.id("token")).sendKeys(OpsGateway.TOKEN);
        driver.findElement(By.id("actor")).sendKeys("alice@ops");
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        // Health settles first (a card is rebuilt when its data changes): srv-12's backend answers, srv-13's does not.
        waitUpTo(15).until(d -> d.findElement(By.cssSelector(".card[data-group='srv-12'] .backends td.up")) != null
                && d.findElement(By.cssSelector(".card[data-group='srv-13'] .backends td.down")) != null);
        WebElement card = driver.findElement(By.cssSelector(".card[data-group='srv-12']"));
        assertEquals("open", card.findElement(By.cssSelector(".badge")).getText());
        // A window scheduled from the card keeps the group's own write policy unless ops choose otherwise: the form
        // said "reject" for srv-12, whose policy is queue, and a window scheduled as offered refused its writes.
        assertEquals("queue", new Select(card.findElement(By.cssSelector(".window-form select[name=writes]")))
                .getFirstSelectedOption().getAttribute("value"));
        WebElement bob = driver.findElement(By.cssSelector(".card[data-group='srv-13']"));
        assertEquals("read-only", bob.findElement(By.cssSelector(".badge")).getText());
        assertTrue(bob.findElement(By.cssSelector(".countdown")).getText().startsWith("starts in 1h 5"),
                "the window's countdown: " + bob.findElement(By.cssSelector(".countdown")).getText());
        waitUpTo(10).until(d -> !d.findElements(By.cssSelector("#gateways tbody tr")).isEmpty());
        screenshots("before");

        card.findElement(By.xpath(".//summary[text()='Change mode']")).click();
        new Select(card.findElement(By.cssSelector(".mode-form select[name=mode]"))).selectByValue("read-only");
        new Select(card.findElement(By.cssSelector(".mode-form select[name=writes]"))).selectByValue("reject");
        card.findElement(By.cssSelector(".mode-form button[type=submit]")).click();
        WebElement dialog = waitUpTo(5).until(d -> d.findElement(By.cssSelector("dialog#confirm[open]")));
        assertTrue(dialog.getText().contains("Put group srv-12 in read-only"), dialog.getText());
        assertEquals(200, ops.post(OpsGateway.ALICE).status(), "nothing is sent before the operator confirms");
        driver.findElement(By.id("confirm-ok")).click();

        waitUpTo(10).until(d -> d.findElement(By.id("status")).getText().contains("applied by 1 of 1"));
        waitUpTo(10).until(d -> d.findElement(By.cssSelector(".card[data-group='srv-12'] .badge")).getText().equals("read-only"));
        assertEquals(503, ops.post(OpsGateway.ALICE).status(), "the gateway refuses writes to srv-12 now");
        waitUpTo(10).until(d -> d.findElement(By.id("audit")).getText().contains("alice@ops"));
        awaitAccessLogLine("\"group\":\"srv-12\"", "\"outcome\":\"notice\"");

        // Drain the group's backend, confirmed like every change.
        driver.findElement(By.cssSelector(".card[data-group='srv-12'] .backends button")).click();
        waitUpTo(5).until(d -> d.findElement(By.cssSelector("dialog#confirm[open]")));
        driver.findElement(By.id("confirm-ok")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector(".card[data-group='srv-12'] .backends tbody tr td:nth-child(3)"))
                .getText().equals("drain"));
        assertEquals("drain", ops.admin("GET", "/v1/groups/srv-12/health", null).json().path("backends").get(0).path("admin").asText());

        // A cutover to a backend that answers nothing is refused, with its report shown.
        WebElement srv12 = driver.findElement(By.cssSelector(".card[data-group='srv-12']"));
        srv12.findElement(By.xpath(".//summary[text()='Cut over']")).click();
        srv12.findElement(By.cssSelector(".cutover-form input[name=backends]")).sendKeys("127.0.0.1:1");
        srv12.findElement(By.cssSelector(".cutover-form button[type=submit]")).click();
        waitUpTo(5).until(d -> d.findElement(By.cssSelector("dialog#confirm[open]")));
        driver.findElement(By.id("confirm-ok")).click();
        WebElement report;
        try {
            report = waitUpTo(15).until(d -> d.findElement(By.cssSelector(".card[data-group='srv-12'] .report table")));
        } catch (org.openqa.selenium.TimeoutException e) {
            screenshots("debug");
            throw new AssertionError("status: " + driver.findElement(By.id("status")).getText() + "; logs: "
                    + driver.manage().logs().get(LogType.BROWSER).getAll(), e);
        }
        assertTrue(report.getText().contains("127.0.0.1:1") && report.getText().contains("fail"), report.getText());
        assertTrue(driver.findElement(By.id("status")).getText().contains("refused"), driver.findElement(By.id("status")).getText());
        screenshots("after");

        List<LogEntry> problems = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
                // the refusals this test provokes (a wrong token, a failed verification) are logged by the browser too
                .filter(e -> !e.getMessage().contains("the server responded with a status of 4")).toList();
        assertTrue(problems.isEmpty(), "browser console: " + problems);
    }

    /** The page, logged in (the token stays in the tab's session storage across the tests). */
    private static void openLoggedIn() {
        driver.get(ops.adminUrl() + "/");
        if (driver.findElement(By.id("login")).isDisplayed()) {
            driver.findElement(By.id("token")).sendKeys(OpsGateway.TOKEN);
            driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        }
        waitUpTo(10).until(d -> d.findElement(By.id("app")).isDisplayed());
    }

    @Test
    void aMigrationIsListedWithItsStateAndFollowedToDoneAfterContinuingItOnThePage() throws Exception {
        try (net.passerelle.gateway.testing.StubBackend next = new net.passerelle.gateway.testing.StubBackend()) {
            next.respondWith(net.passerelle.gateway.testing.StubBackend.text("hello from the backend"));
            assertEquals(200, ops.admin("PUT", "/v1/groups/srv-20", "{\"backends\": [\"" + ops.backend.hostPort() + "\"]}").status());
            assertEquals(200, ops.admin("PUT", "/v1/hosts/carol.gallery.example", "{\"group\": \"srv-20\", \"account\": \"carol\"}").status());
            OpsGateway.Answer created = ops.admin("POST", "/v1/migrations", "{\"group\": \"srv-20\", \"to\": {\"backends\": [\""
                    + next.hostPort() + "\"]}, \"writes\": \"queue\", \"maxReadOnlySeconds\": 1}");
            assertEquals(201, created.status(), created.body());
            String id = created.json().path("id").asText();
            By row = By.cssSelector("#migrations .card[data-migration='" + id + "']");
            openLoggedIn();
            waitUpTo(20).until(d -> d.findElement(row).getAttribute("data-state").equals("awaiting-copy"));
            WebElement r = driver.findElement(row);
            assertEquals("srv-20", r.findElement(By.cssSelector(".name")).getText());
            assertEquals("awaiting-copy", r.findElement(By.cssSelector(".badge")).getText());
            assertTrue(r.findElement(By.cssSelector(".step")).getText().startsWith("awaiting-copy running"), r.getText());
            assertFalse(driver.findElement(By.id("no-migrations")).isDisplayed(), "one is in progress");
            // Past its one second of read-only, the server flags it overdue: the row says so and stands out.
            waitUpTo(20).until(d -> d.findElement(row).getAttribute("class").contains("overdue"));
            assertTrue(driver.findElement(row).findElement(By.cssSelector(".read-only-for")).getText().contains("overdue"));
            screenshots("migration");

            driver.findElement(row).findElement(By.cssSelector("button[data-action=continue]")).click();
            WebElement dialog = waitUpTo(5).until(d -> d.findElement(By.cssSelector("dialog#confirm[open]")));
            assertTrue(dialog.getText().contains("Is the data of srv-20 copied to " + next.hostPort()), dialog.getText());
            assertEquals("awaiting-copy", ops.admin("GET", "/v1/migrations/" + id, null).json().path("state").asText(),
                    "nothing is sent before the operator confirms");
            driver.findElement(By.id("confirm-ok")).click();
            waitUpTo(30).until(d -> d.findElement(row).getAttribute("data-state").equals("done"));
            assertEquals("done", driver.findElement(row).findElement(By.cssSelector(".badge")).getText());
            assertTrue(driver.findElement(By.id("no-migrations")).isDisplayed(), "none is in progress any more");
            assertEquals(next.hostPort(), ops.admin("GET", "/v1/groups/srv-20", null).json().path("backends").get(0).path("address").asText());
        } finally {
            // The other test starts from the login form.
            ((JavascriptExecutor) driver).executeScript("window.sessionStorage.clear()");
        }
    }

    @Test
    void aGroupsCardShowsTheQueuedWritesThatFailedForGoodNotJustTheWaitingOnes() throws Exception {
        try (net.passerelle.gateway.testing.StubBackend refusing = new net.passerelle.gateway.testing.StubBackend()) {
            refusing.respondWith((ctx, req) -> {
                io.netty.handler.codec.http.DefaultFullHttpResponse r = new io.netty.handler.codec.http.DefaultFullHttpResponse(
                        io.netty.handler.codec.http.HttpVersion.HTTP_1_1, req.method().equals("POST")
                        ? io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN : io.netty.handler.codec.http.HttpResponseStatus.OK,
                        io.netty.buffer.Unpooled.EMPTY_BUFFER);
                io.netty.handler.codec.http.HttpUtil.setContentLength(r, 0);
                ctx.writeAndFlush(r);
            });
            assertEquals(200, ops.admin("PUT", "/v1/groups/srv-21", "{\"backends\": [\"" + refusing.hostPort() + "\"]}").status());
            assertEquals(200, ops.admin("PUT", "/v1/hosts/dave.gallery.example", "{\"group\": \"srv-21\", \"account\": \"dave\"}").status());
            assertEquals(200, ops.admin("PUT", "/v1/groups/srv-21/mode", "{\"mode\": \"read-only\", \"writes\": \"queue\"}").status());
            assertEquals(202, ops.post("dave.gallery.example").status());
            assertEquals(200, ops.admin("PUT", "/v1/groups/srv-21/mode", "{\"mode\": \"open\"}").status());
            // The backend refuses the replayed write (403): failed-final, 0 waiting. Ops must see that it needs them.
            waitUpTo(20).until(d -> {
                try {
                    return ops.admin("GET", "/v1/groups/srv-21/spool", null).json().path("failedFinal").asInt() == 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            openLoggedIn();
            By spool = By.cssSelector(".card[data-group='srv-21'] .spool");
            String text = waitUpTo(15).until(d -> {
                String t = d.findElement(spool).getText();
                return t.contains("failed-final") ? t : null;
            });
            assertTrue(text.startsWith("0 waiting") && text.contains("1 failed-final") && text.contains("ctl spool list srv-21"), text);
        } finally {
            ((JavascriptExecutor) driver).executeScript("window.sessionStorage.clear()");
        }
    }

    @Test
    void aGatewayThatStoppedIsShownAsStoppedNotAsBehind() throws Exception {
        net.passerelle.admin.store.Store store = ops.gateway.storeSync().store();
        store.renewLease("gw-gone", 0, "", Duration.ofSeconds(4));
        store.releaseLease("gw-gone");
        try {
            openLoggedIn();
            By gone = By.xpath("//table[@id='gateways']//tr[td[1][text()='gw-gone']]");
            WebElement row = waitUpTo(15).until(d -> d.findElement(gone));
            String text = row.getText();
            assertTrue(text.contains("no (stopped)") && !text.contains("behind"), text);
        } finally {
            ((JavascriptExecutor) driver).executeScript("window.sessionStorage.clear()");
        }
    }

    @Test
    void thePageIsServedWithAStrictContentSecurityPolicyAndNoInlineCode() throws Exception {
        OpsGateway.Answer page = ops.admin("GET", "/", null, false);
        assertEquals(200, page.status());
        String csp = page.response().headers().firstValue("content-security-policy").orElse("");
        assertEquals(OpsRoutes.CONTENT_SECURITY_POLICY, csp);
        assertFalse(csp.contains("unsafe"), csp);
        assertFalse(page.body().contains("<script>") || page.body().contains("style="), "no inline script or style");
        assertEquals(401, ops.admin("GET", "/v1/groups", null, false).status(), "the data needs the token");
    }

    private static void screenshots(String stage) throws Exception {
        Path target = Files.createDirectories(Path.of("target"));
        for (Dimension size : List.of(new Dimension(1280, 1000), new Dimension(390, 844))) {
            driver.manage().window().setSize(size);
            long height = (Long) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollHeight");
            driver.manage().window().setSize(new Dimension(size.getWidth(), (int) Math.max(size.getHeight(), height)));
            String name = "ops-page-" + stage + "-" + (size.getWidth() < 600 ? "phone" : "desktop") + ".png";
            File shot = driver.getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), target.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        driver.manage().window().setSize(new Dimension(1280, 1000));
    }

    /** The access log is written by its own thread: wait (bounded) for a line with all of {@code parts}. */
    private static void awaitAccessLogLine(String... parts) throws Exception {
        java.nio.file.Path log = dir.resolve("access.log");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (java.nio.file.Files.exists(log)) {
                for (String line : java.nio.file.Files.readAllLines(log)) {
                    if (java.util.Arrays.stream(parts).allMatch(line::contains)) {
                        return;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no access-log line with " + java.util.Arrays.toString(parts) + " in "
                        + (java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "(no file)"));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
