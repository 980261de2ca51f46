package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** 'ctl status' QUEUED: this gateway's spool, and what the other live gateways hold for the group. */
class StatusQueuedCellTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesQueuedOnOtherGatewaysAreShownBesideThisOnesCount() throws Exception {
        assertEquals("0 (+3 on other gateways)", StatusCommand.queued(JSON.readTree(
                "{\"count\": 0, \"gateway\": \"gw-1\", \"waitingElsewhere\": {\"gw-2\": 1, \"gw-3\": 2}}")));
        assertEquals("2", StatusCommand.queued(JSON.readTree("{\"count\": 2, \"waitingElsewhere\": {}}")));
        assertEquals("2", StatusCommand.queued(JSON.readTree("{\"count\": 2, \"waitingElsewhere\": null}")));
        assertEquals("2", StatusCommand.queued(JSON.readTree("{\"count\": 2}")), "an older gateway's answer");
    }

    @Test
    void writesThatNeedAPersonAreNotHiddenBehindAZero() throws Exception {
        assertEquals("0, 1 failed-final", StatusCommand.queued(JSON.readTree(
                "{\"count\": 0, \"failedFinal\": 1, \"setAside\": 0, \"waitingElsewhere\": {}}")));
        assertEquals("2 (+1 on other gateways), 3 failed-final, 1 set aside", StatusCommand.queued(JSON.readTree(
                "{\"count\": 2, \"failedFinal\": 3, \"setAside\": 1, \"waitingElsewhere\": {\"gw-2\": 1}}")));
    }
}
