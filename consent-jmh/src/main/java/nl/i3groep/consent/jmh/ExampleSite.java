package nl.i3groep.consent.jmh;

/** The contract's example site with all six trackers, as the benchmarks use it. */
final class ExampleSite {

    static final String CONFIG = """
            {
              "policyVersion": "2024-05",
              "signingKeys": [ { "id": "k1", "secret": "base64:YmVuY2htYXJrLWtleS1iZW5jaG1hcmsta2V5LWJlbmNobWFyaw==" } ],
              "trackers": {
                "google-analytics": { "measurementId": "G-ABC123" },
                "google-ads":       { "conversionId": "AW-123456789" },
                "linkedin-insight": { "partnerId": "123456" },
                "leadboxer":        { "datasetId": "abc123" },
                "oktopost":         { "trackingId": "001abc" },
                "session-cookies":  { "cookies": ["JSESSIONID"] }
              },
              "ledger": { "type": "memory" }
            }
            """;

    private ExampleSite() {
    }
}
