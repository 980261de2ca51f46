package net.passerelle.gateway.policy;

/** The built-in knowledge a profile ends with, after its rules. */
interface BaseProfile {
    /** The class of the request, or null when it depends on form fields of a body not yet seen. */
    RequestClass evaluate(RequestFacts facts, Params body);

    /** The plain HTTP rule: reads are GET, HEAD and OPTIONS; TRACE and CONNECT are refused; all else writes. */
    BaseProfile HTTP = (facts, body) -> byMethod(facts.httpMethod);

    /** HTTP method names are case-sensitive: {@code get} is an unknown method, hence a write. */
    static RequestClass byMethod(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS" -> RequestClass.READ;
            case "TRACE", "CONNECT" -> RequestClass.REFUSED;
            default -> RequestClass.WRITE;
        };
    }
}
