package nl.i3groep.consent.jmh;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletConnection;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.security.Principal;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@code GET} of one page as a container hands it to the filter chain, already parsed: headers in
 * a map, cookies as the array a container builds once per request. Parsing the request is the
 * container's cost, not the filter's, so it is done once, when the benchmark is set up; only the
 * attributes, which the filter sets on every request, are cleared by {@link #recycle}.
 *
 * <p>What a filter around a plain page has no business calling (sessions, parameters of a body,
 * dispatchers, async) throws {@link UnsupportedOperationException}: if the filter starts to call it,
 * the benchmark fails instead of measuring a path that a container would take differently.
 */
final class StubRequest implements HttpServletRequest {

    private final String uri;
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Cookie[] cookies;
    private final Map<String, Object> attributes = new HashMap<>();

    /**
     * @param uri the path requested, without a query
     * @param headers request headers, one value each
     * @param cookies the cookies sent, or {@code null} for none (what containers answer then)
     */
    StubRequest(String uri, Map<String, String> headers, Cookie[] cookies) {
        this.uri = uri;
        this.headers.putAll(headers);
        this.cookies = cookies;
    }

    /** Ready for the next request: a container gives every request fresh attributes. */
    StubRequest recycle() {
        attributes.clear();
        return this;
    }

    private static UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException("the benchmark's request does not implement " + what);
    }

    // ---- what the filter reads --------------------------------------------------------------

    @Override
    public Cookie[] getCookies() {
        return cookies;
    }

    @Override
    public String getHeader(String name) {
        return headers.get(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        String value = headers.get(name);
        return value == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(value));
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        return Collections.enumeration(headers.keySet());
    }

    @Override
    public long getDateHeader(String name) {
        if (headers.get(name) == null) {
            return -1;
        }
        throw unsupported("getDateHeader");
    }

    @Override
    public int getIntHeader(String name) {
        String value = headers.get(name);
        return value == null ? -1 : Integer.parseInt(value.trim());
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        return Collections.enumeration(attributes.keySet());
    }

    @Override
    public void setAttribute(String name, Object o) {
        if (o == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, o);
        }
    }

    @Override
    public void removeAttribute(String name) {
        attributes.remove(name);
    }

    @Override
    public DispatcherType getDispatcherType() {
        return DispatcherType.REQUEST;
    }

    @Override
    public String getMethod() {
        return "GET";
    }

    @Override
    public String getRequestURI() {
        return uri;
    }

    @Override
    public StringBuffer getRequestURL() {
        return new StringBuffer(getScheme()).append("://").append(getServerName()).append(uri);
    }

    @Override
    public String getContextPath() {
        return "";
    }

    @Override
    public String getServletPath() {
        return uri; // a servlet mapped to "/"
    }

    @Override
    public String getPathInfo() {
        return null;
    }

    @Override
    public String getPathTranslated() {
        return null;
    }

    @Override
    public String getQueryString() {
        return null;
    }

    @Override
    public String getServerName() {
        return "www.voorbeeld.nl";
    }

    @Override
    public int getServerPort() {
        return 443;
    }

    @Override
    public String getScheme() {
        return "https";
    }

    @Override
    public boolean isSecure() {
        return true;
    }

    @Override
    public String getProtocol() {
        return "HTTP/1.1";
    }

    @Override
    public boolean isAsyncStarted() {
        return false;
    }

    @Override
    public boolean isAsyncSupported() {
        return false;
    }

    @Override
    public AsyncContext startAsync() {
        throw new IllegalStateException("async is not supported by the benchmark's request");
    }

    @Override
    public AsyncContext startAsync(ServletRequest servletRequest, ServletResponse servletResponse) {
        throw new IllegalStateException("async is not supported by the benchmark's request");
    }

    @Override
    public AsyncContext getAsyncContext() {
        throw new IllegalStateException("async is not supported by the benchmark's request");
    }

    // ---- a GET without a body ---------------------------------------------------------------

    @Override
    public String getCharacterEncoding() {
        return null;
    }

    @Override
    public void setCharacterEncoding(String env) {
        // a GET has no body to decode
    }

    @Override
    public int getContentLength() {
        return -1;
    }

    @Override
    public long getContentLengthLong() {
        return -1;
    }

    @Override
    public String getContentType() {
        return null;
    }

    @Override
    public ServletInputStream getInputStream() {
        throw unsupported("getInputStream");
    }

    @Override
    public BufferedReader getReader() {
        throw unsupported("getReader");
    }

    @Override
    public String getParameter(String name) {
        return null; // no query, no form body
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.emptyEnumeration();
    }

    @Override
    public String[] getParameterValues(String name) {
        return null;
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return Map.of();
    }

    // ---- the connection ---------------------------------------------------------------------

    @Override
    public String getRemoteAddr() {
        return "192.0.2.1";
    }

    @Override
    public String getRemoteHost() {
        return "192.0.2.1";
    }

    @Override
    public int getRemotePort() {
        return 50000;
    }

    @Override
    public String getLocalName() {
        return "localhost";
    }

    @Override
    public String getLocalAddr() {
        return "127.0.0.1";
    }

    @Override
    public int getLocalPort() {
        return 443;
    }

    @Override
    public Locale getLocale() {
        throw unsupported("getLocale");
    }

    @Override
    public Enumeration<Locale> getLocales() {
        throw unsupported("getLocales");
    }

    @Override
    public String getRequestId() {
        return "1";
    }

    @Override
    public String getProtocolRequestId() {
        return "";
    }

    @Override
    public ServletConnection getServletConnection() {
        throw unsupported("getServletConnection");
    }

    @Override
    public ServletContext getServletContext() {
        throw unsupported("getServletContext");
    }

    @Override
    public RequestDispatcher getRequestDispatcher(String path) {
        throw unsupported("getRequestDispatcher");
    }

    // ---- security and sessions: nobody is logged in -----------------------------------------

    @Override
    public String getAuthType() {
        return null;
    }

    @Override
    public String getRemoteUser() {
        return null;
    }

    @Override
    public boolean isUserInRole(String role) {
        return false;
    }

    @Override
    public Principal getUserPrincipal() {
        return null;
    }

    @Override
    public String getRequestedSessionId() {
        return null;
    }

    @Override
    public HttpSession getSession(boolean create) {
        if (create) {
            throw unsupported("getSession(true)");
        }
        return null;
    }

    @Override
    public HttpSession getSession() {
        throw unsupported("getSession");
    }

    @Override
    public String changeSessionId() {
        throw unsupported("changeSessionId");
    }

    @Override
    public boolean isRequestedSessionIdValid() {
        return false;
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
        return false;
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
        return false;
    }

    @Override
    public boolean authenticate(HttpServletResponse response) {
        throw unsupported("authenticate");
    }

    @Override
    public void login(String username, String password) {
        throw unsupported("login");
    }

    @Override
    public void logout() {
        throw unsupported("logout");
    }

    @Override
    public Collection<Part> getParts() {
        throw unsupported("getParts");
    }

    @Override
    public Part getPart(String name) {
        throw unsupported("getPart");
    }

    @Override
    public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) {
        throw unsupported("upgrade");
    }
}
