var F=globalThis,G=F.ShadowRoot&&(F.ShadyCSS===void 0||F.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,te=Symbol(),xe=new WeakMap,U=class{constructor(e,t,r){if(this._$cssResult$=!0,r!==te)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(G&&e===void 0){let r=t!==void 0&&t.length===1;r&&(e=xe.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),r&&xe.set(t,e))}return e}toString(){return this.cssText}},Ae=s=>new U(typeof s=="string"?s:s+"",void 0,te),re=(s,...e)=>{let t=s.length===1?s[0]:e.reduce((r,n,i)=>r+(o=>{if(o._$cssResult$===!0)return o.cssText;if(typeof o=="number")return o;throw Error("Value passed to 'css' function must be a 'css' function result: "+o+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(n)+s[i+1],s[0]);return new U(t,s,te)},we=(s,e)=>{if(G)s.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let r=document.createElement("style"),n=F.litNonce;n!==void 0&&r.setAttribute("nonce",n),r.textContent=t.cssText,s.appendChild(r)}},ne=G?s=>s:s=>s instanceof CSSStyleSheet?(e=>{let t="";for(let r of e.cssRules)t+=r.cssText;return Ae(t)})(s):s;var{is:Xe,defineProperty:Qe,getOwnPropertyDescriptor:et,getOwnPropertyNames:tt,getOwnPropertySymbols:rt,getPrototypeOf:nt}=Object,q=globalThis,Ce=q.trustedTypes,st=Ce?Ce.emptyScript:"",it=q.reactiveElementPolyfillSupport,z=(s,e)=>s,se={toAttribute(s,e){switch(e){case Boolean:s=s?st:null;break;case Object:case Array:s=s==null?s:JSON.stringify(s)}return s},fromAttribute(s,e){let t=s;switch(e){case Boolean:t=s!==null;break;case Number:t=s===null?null:Number(s);break;case Object:case Array:try{t=JSON.parse(s)}catch{t=null}}return t}},Se=(s,e)=>!Xe(s,e),Ee={attribute:!0,type:String,converter:se,reflect:!1,useDefault:!1,hasChanged:Se};Symbol.metadata??=Symbol("metadata"),q.litPropertyMetadata??=new WeakMap;var $=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=Ee){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let r=Symbol(),n=this.getPropertyDescriptor(e,r,t);n!==void 0&&Qe(this.prototype,e,n)}}static getPropertyDescriptor(e,t,r){let{get:n,set:i}=et(this.prototype,e)??{get(){return this[t]},set(o){this[t]=o}};return{get:n,set(o){let c=n?.call(this);i?.call(this,o),this.requestUpdate(e,c,r)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??Ee}static _$Ei(){if(this.hasOwnProperty(z("elementProperties")))return;let e=nt(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(z("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(z("properties"))){let t=this.properties,r=[...tt(t),...rt(t)];for(let n of r)this.createProperty(n,t[n])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[r,n]of t)this.elementProperties.set(r,n)}this._$Eh=new Map;for(let[t,r]of this.elementProperties){let n=this._$Eu(t,r);n!==void 0&&this._$Eh.set(n,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let r=new Set(e.flat(1/0).reverse());for(let n of r)t.unshift(ne(n))}else e!==void 0&&t.push(ne(e));return t}static _$Eu(e,t){let r=t.attribute;return r===!1?void 0:typeof r=="string"?r:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let r of t.keys())this.hasOwnProperty(r)&&(e.set(r,this[r]),delete this[r]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return we(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,r){this._$AK(e,r)}_$ET(e,t){let r=this.constructor.elementProperties.get(e),n=this.constructor._$Eu(e,r);if(n!==void 0&&r.reflect===!0){let i=(r.converter?.toAttribute!==void 0?r.converter:se).toAttribute(t,r.type);this._$Em=e,i==null?this.removeAttribute(n):this.setAttribute(n,i),this._$Em=null}}_$AK(e,t){let r=this.constructor,n=r._$Eh.get(e);if(n!==void 0&&this._$Em!==n){let i=r.getPropertyOptions(n),o=typeof i.converter=="function"?{fromAttribute:i.converter}:i.converter?.fromAttribute!==void 0?i.converter:se;this._$Em=n;let c=o.fromAttribute(t,i.type);this[n]=c??this._$Ej?.get(n)??c,this._$Em=null}}requestUpdate(e,t,r,n=!1,i){if(e!==void 0){let o=this.constructor;if(n===!1&&(i=this[e]),r??=o.getPropertyOptions(e),!((r.hasChanged??Se)(i,t)||r.useDefault&&r.reflect&&i===this._$Ej?.get(e)&&!this.hasAttribute(o._$Eu(e,r))))return;this.C(e,t,r)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:r,reflect:n,wrapped:i},o){r&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,o??t??this[e]),i!==!0||o!==void 0)||(this._$AL.has(e)||(this.hasUpdated||r||(t=void 0),this._$AL.set(e,t)),n===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[n,i]of this._$Ep)this[n]=i;this._$Ep=void 0}let r=this.constructor.elementProperties;if(r.size>0)for(let[n,i]of r){let{wrapped:o}=i,c=this[n];o!==!0||this._$AL.has(n)||c===void 0||this.C(n,void 0,i,c)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(r=>r.hostUpdate?.()),this.update(t)):this._$EM()}catch(r){throw e=!1,this._$EM(),r}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};$.elementStyles=[],$.shadowRootOptions={mode:"open"},$[z("elementProperties")]=new Map,$[z("finalized")]=new Map,it?.({ReactiveElement:$}),(q.reactiveElementVersions??=[]).push("2.1.2");var he=globalThis,Te=s=>s,Y=he.trustedTypes,ke=Y?Y.createPolicy("lit-html",{createHTML:s=>s}):void 0,He="$lit$",x=`lit$${Math.random().toFixed(9).slice(2)}$`,De="?"+x,ot=`<${De}>`,k=document,L=()=>k.createComment(""),B=s=>s===null||typeof s!="object"&&typeof s!="function",pe=Array.isArray,at=s=>pe(s)||typeof s?.[Symbol.iterator]=="function",ie=`[ 	
\f\r]`,I=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Pe=/-->/g,Me=/>/g,S=RegExp(`>|${ie}(?:([^\\s"'>=/]+)(${ie}*=${ie}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Re=/'/g,Ne=/"/g,Ue=/^(?:script|style|textarea|title)$/i,ue=s=>(e,...t)=>({_$litType$:s,strings:e,values:t}),u=ue(1),M=ue(2),Et=ue(3),P=Symbol.for("lit-noChange"),p=Symbol.for("lit-nothing"),Oe=new WeakMap,T=k.createTreeWalker(k,129);function ze(s,e){if(!pe(s)||!s.hasOwnProperty("raw"))throw Error("invalid template strings array");return ke!==void 0?ke.createHTML(e):e}var lt=(s,e)=>{let t=s.length-1,r=[],n,i=e===2?"<svg>":e===3?"<math>":"",o=I;for(let c=0;c<t;c++){let a=s[c],l,d,h=-1,m=0;for(;m<a.length&&(o.lastIndex=m,d=o.exec(a),d!==null);)m=o.lastIndex,o===I?d[1]==="!--"?o=Pe:d[1]!==void 0?o=Me:d[2]!==void 0?(Ue.test(d[2])&&(n=RegExp("</"+d[2],"g")),o=S):d[3]!==void 0&&(o=S):o===S?d[0]===">"?(o=n??I,h=-1):d[1]===void 0?h=-2:(h=o.lastIndex-d[2].length,l=d[1],o=d[3]===void 0?S:d[3]==='"'?Ne:Re):o===Ne||o===Re?o=S:o===Pe||o===Me?o=I:(o=S,n=void 0);let g=o===S&&s[c+1].startsWith("/>")?" ":"";i+=o===I?a+ot:h>=0?(r.push(l),a.slice(0,h)+He+a.slice(h)+x+g):a+x+(h===-2?c:g)}return[ze(s,i+(s[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),r]},W=class s{constructor({strings:e,_$litType$:t},r){let n;this.parts=[];let i=0,o=0,c=e.length-1,a=this.parts,[l,d]=lt(e,t);if(this.el=s.createElement(l,r),T.currentNode=this.el.content,t===2||t===3){let h=this.el.content.firstChild;h.replaceWith(...h.childNodes)}for(;(n=T.nextNode())!==null&&a.length<c;){if(n.nodeType===1){if(n.hasAttributes())for(let h of n.getAttributeNames())if(h.endsWith(He)){let m=d[o++],g=n.getAttribute(h).split(x),b=/([.?@])?(.*)/.exec(m);a.push({type:1,index:i,name:b[2],strings:g,ctor:b[1]==="."?ae:b[1]==="?"?le:b[1]==="@"?ce:O}),n.removeAttribute(h)}else h.startsWith(x)&&(a.push({type:6,index:i}),n.removeAttribute(h));if(Ue.test(n.tagName)){let h=n.textContent.split(x),m=h.length-1;if(m>0){n.textContent=Y?Y.emptyScript:"";for(let g=0;g<m;g++)n.append(h[g],L()),T.nextNode(),a.push({type:2,index:++i});n.append(h[m],L())}}}else if(n.nodeType===8)if(n.data===De)a.push({type:2,index:i});else{let h=-1;for(;(h=n.data.indexOf(x,h+1))!==-1;)a.push({type:7,index:i}),h+=x.length-1}i++}}static createElement(e,t){let r=k.createElement("template");return r.innerHTML=e,r}};function N(s,e,t=s,r){if(e===P)return e;let n=r!==void 0?t._$Co?.[r]:t._$Cl,i=B(e)?void 0:e._$litDirective$;return n?.constructor!==i&&(n?._$AO?.(!1),i===void 0?n=void 0:(n=new i(s),n._$AT(s,t,r)),r!==void 0?(t._$Co??=[])[r]=n:t._$Cl=n),n!==void 0&&(e=N(s,n._$AS(s,e.values),n,r)),e}var oe=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:r}=this._$AD,n=(e?.creationScope??k).importNode(t,!0);T.currentNode=n;let i=T.nextNode(),o=0,c=0,a=r[0];for(;a!==void 0;){if(o===a.index){let l;a.type===2?l=new K(i,i.nextSibling,this,e):a.type===1?l=new a.ctor(i,a.name,a.strings,this,e):a.type===6&&(l=new de(i,this,e)),this._$AV.push(l),a=r[++c]}o!==a?.index&&(i=T.nextNode(),o++)}return T.currentNode=k,n}p(e){let t=0;for(let r of this._$AV)r!==void 0&&(r.strings!==void 0?(r._$AI(e,r,t),t+=r.strings.length-2):r._$AI(e[t])),t++}},K=class s{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,r,n){this.type=2,this._$AH=p,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=r,this.options=n,this._$Cv=n?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=N(this,e,t),B(e)?e===p||e==null||e===""?(this._$AH!==p&&this._$AR(),this._$AH=p):e!==this._$AH&&e!==P&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):at(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==p&&B(this._$AH)?this._$AA.nextSibling.data=e:this.T(k.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:r}=e,n=typeof r=="number"?this._$AC(e):(r.el===void 0&&(r.el=W.createElement(ze(r.h,r.h[0]),this.options)),r);if(this._$AH?._$AD===n)this._$AH.p(t);else{let i=new oe(n,this),o=i.u(this.options);i.p(t),this.T(o),this._$AH=i}}_$AC(e){let t=Oe.get(e.strings);return t===void 0&&Oe.set(e.strings,t=new W(e)),t}k(e){pe(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,r,n=0;for(let i of e)n===t.length?t.push(r=new s(this.O(L()),this.O(L()),this,this.options)):r=t[n],r._$AI(i),n++;n<t.length&&(this._$AR(r&&r._$AB.nextSibling,n),t.length=n)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let r=Te(e).nextSibling;Te(e).remove(),e=r}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},O=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,r,n,i){this.type=1,this._$AH=p,this._$AN=void 0,this.element=e,this.name=t,this._$AM=n,this.options=i,r.length>2||r[0]!==""||r[1]!==""?(this._$AH=Array(r.length-1).fill(new String),this.strings=r):this._$AH=p}_$AI(e,t=this,r,n){let i=this.strings,o=!1;if(i===void 0)e=N(this,e,t,0),o=!B(e)||e!==this._$AH&&e!==P,o&&(this._$AH=e);else{let c=e,a,l;for(e=i[0],a=0;a<i.length-1;a++)l=N(this,c[r+a],t,a),l===P&&(l=this._$AH[a]),o||=!B(l)||l!==this._$AH[a],l===p?e=p:e!==p&&(e+=(l??"")+i[a+1]),this._$AH[a]=l}o&&!n&&this.j(e)}j(e){e===p?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},ae=class extends O{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===p?void 0:e}},le=class extends O{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==p)}},ce=class extends O{constructor(e,t,r,n,i){super(e,t,r,n,i),this.type=5}_$AI(e,t=this){if((e=N(this,e,t,0)??p)===P)return;let r=this._$AH,n=e===p&&r!==p||e.capture!==r.capture||e.once!==r.once||e.passive!==r.passive,i=e!==p&&(r===p||n);n&&this.element.removeEventListener(this.name,this,r),i&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},de=class{constructor(e,t,r){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=r}get _$AU(){return this._$AM._$AU}_$AI(e){N(this,e)}};var ct=he.litHtmlPolyfillSupport;ct?.(W,K),(he.litHtmlVersions??=[]).push("3.3.3");var Ie=(s,e,t)=>{let r=t?.renderBefore??e,n=r._$litPart$;if(n===void 0){let i=t?.renderBefore??null;r._$litPart$=n=new K(e.insertBefore(L(),i),i,void 0,t??{})}return n._$AI(s),n};var me=globalThis,f=class extends ${constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Ie(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return P}};f._$litElement$=!0,f.finalized=!0,me.litElementHydrateSupport?.({LitElement:f});var dt=me.litElementPolyfillSupport;dt?.({LitElement:f});(me.litElementVersions??=[]).push("4.2.2");var Z=130,ht=16,pt=10,Le=18,ut=500,mt=44,gt=22;function J(s,e){let t=ut,r=t/Math.max(s.length,1),n=Math.ceil(gt/r),i=e??Math.max(0,...s.flatMap(d=>d.values.map(h=>h.value!==null&&h.value>0?h.value:0))),o=s.some(d=>(d.markers??[]).length>0),c=Z-ht-(o?pt:0)-Le,a=i>0?c/i:0,l=Z-Le;return M`<svg viewBox="0 0 ${t} ${Z}" role="img" preserveAspectRatio="xMidYMid meet">
    <line class="axis" x1="0" x2="${t}" y1="${l}" y2="${l}"></line>
    ${s.map((d,h)=>{let m=d.values.length,g=Math.min(r*.72,mt*m),b=g/m,Ze=h*r+(r-g)/2;return M`<g>
        <title>${d.title}</title>
        ${d.values.map((R,Je)=>{let ee=R.value!==null&&R.value>0?R.value*a:0,be=Ze+Je*b;return M`<rect class="${R.cls}" x="${be+.5}" y="${l-ee}" width="${Math.max(b-1,1)}" height="${ee}" rx="2"></rect>
            ${R.text&&h%n===0?M`<text class="value" x="${be+b/2}" y="${l-ee-4}" text-anchor="middle">${R.text}</text>`:""}`})}
        ${h%n===0?M`<text class="label" x="${h*r+r/2}" y="${Z-5}" text-anchor="middle">${d.label}</text>`:""}
        ${(d.markers??[]).length>0?M`<path class="marker" d="M ${h*r+r/2-4} 1 h 8 l -4 6 z"><title>${(d.markers??[]).join(`
`)}</title></path>`:""}
      </g>`})}
  </svg>`}var Be=new Map;function A(s,e){let t=`${s}|${e}`,r=Be.get(t);return r===void 0&&(r=new Intl.NumberFormat(s,{minimumFractionDigits:e,maximumFractionDigits:e}),Be.set(t,r)),r}function H(s){return typeof s=="number"&&Number.isFinite(s)}function ge(s,e,t){return H(e)?A(s,t).format(e):"–"}function w(s,e){return ge(s,e,1)}function v(s,e){if(!H(e))return"–";let t=Math.abs(e);if(t>=1e4)return`${A(s,1).format(e/1e3)} MWh`;let r=t>=100?0:t>=1?1:2;return`${A(s,r).format(e)} kWh`}function V(s,e){return H(e)?`${A(s,Math.abs(e)>=10?0:1).format(e)} %`:"–"}function We(s,e){if(!H(e))return"–";let t=V(s,e);return e>0?`+${t}`:t}function Ke(s,e){return H(e)?A(s,e>=10?0:1).format(e):"–"}function Ve(s,e){if(!H(e))return"–";let t=Math.round(e);if(t<60)return`${t} min`;let r=Math.floor(t/60),n=t%60;return n===0?`${A(s,0).format(r)} h`:`${A(s,0).format(r)} h ${n} min`}function fe(s,e){return`${A(s,Number.isInteger(e)?0:1).format(e)} °C`}function _e(s,e){let[t,r]=e.split("-").map(Number);return new Intl.DateTimeFormat(s,{month:"short",timeZone:"UTC"}).format(new Date(Date.UTC(t,r-1,1)))}function je(s,e){return new Intl.DateTimeFormat(s,{dateStyle:"medium",timeStyle:"short"}).format(new Date(e))}function Fe(s,e){return new Intl.DateTimeFormat(s,{dateStyle:"medium"}).format(new Date(e))}var ye={name:"Heat pump statistics",description:"Seasonal COP, energy by purpose, COP by outdoor temperature and the change log",period_season:"This heating season",period_year:"This year",period_month:"This month",period_week:"This week",period_day:"Today",scop:"Seasonal COP",cop:"COP",carnot:"of Carnot",coverage:"data coverage",heat:"Heat",electricity:"Electricity",purpose:"Purpose",heating:"Space heating",dhw:"Hot water",defrost:"Defrost",total:"Total",defrosts:"defrosts",months:"Seasonal COP per month",bins_cop:"COP by outdoor temperature",bins_energy:"Heat and electricity by outdoor temperature",cycles_per_day:"Compressor starts per day",run_length:"Mean run length",run_length_recent:"last 7 days",changes:"Changes",no_changes:"No changes in this period.",impact:"COP change (weather-normalised)",impact_pending:"impact not known yet",confidence_low:"low confidence",confidence_medium:"medium confidence",confidence_high:"high confidence",from_statistics:"from long-term statistics",from_recorder:"from the recorder",no_data:"No history for this period yet.",loading:"Loading…",error:"The figures cannot be loaded",pick_entry:"Add a heat pump in Settings → Devices & services first.",editor_entry:"Heat pump",editor_period:"Period",editor_title:"Title (optional)",kind_setpoint_changed:"Setpoint",kind_schedule_changed:"Schedule",kind_mode_changed:"Mode",kind_note_added:"Note"},_t={name:"Wärmepumpen-Statistik",description:"Jahresarbeitszahl, Energie nach Zweck, COP nach Außentemperatur und das Änderungsprotokoll",period_season:"Diese Heizsaison",period_year:"Dieses Jahr",period_month:"Dieser Monat",period_week:"Diese Woche",period_day:"Heute",scop:"Jahresarbeitszahl",cop:"COP",carnot:"von Carnot",coverage:"Datenabdeckung",heat:"Wärme",electricity:"Strom",purpose:"Zweck",heating:"Raumheizung",dhw:"Warmwasser",defrost:"Abtauen",total:"Gesamt",defrosts:"Abtauungen",months:"Arbeitszahl je Monat",bins_cop:"COP nach Außentemperatur",bins_energy:"Wärme und Strom nach Außentemperatur",cycles_per_day:"Verdichterstarts pro Tag",run_length:"Mittlere Laufzeit",run_length_recent:"letzte 7 Tage",changes:"Änderungen",no_changes:"Keine Änderungen in diesem Zeitraum.",impact:"COP-Änderung (wetterbereinigt)",impact_pending:"Wirkung noch nicht bekannt",confidence_low:"geringe Sicherheit",confidence_medium:"mittlere Sicherheit",confidence_high:"hohe Sicherheit",from_statistics:"aus der Langzeitstatistik",from_recorder:"aus dem Verlauf",no_data:"Für diesen Zeitraum gibt es noch keinen Verlauf.",loading:"Wird geladen…",error:"Die Zahlen können nicht geladen werden",pick_entry:"Füge zuerst unter Einstellungen → Geräte & Dienste eine Wärmepumpe hinzu.",editor_entry:"Wärmepumpe",editor_period:"Zeitraum",editor_title:"Titel (optional)",kind_setpoint_changed:"Sollwert",kind_schedule_changed:"Zeitprogramm",kind_mode_changed:"Betriebsart",kind_note_added:"Notiz"},yt={en:ye,de:_t};function _(s){return s?.locale?.language??s?.language??"en"}function y(s){let e=yt[s.split("-")[0].toLowerCase()]??ye;return t=>e[t]??ye[t]}var $e=["season","year","month","week","day"],C="heatpump_stats";var E="heatpump-stats-card",$t=600*1e3;async function Ge(s){return(await s.callWS({type:"config_entries/get",domain:C}))[0]?.entry_id}var D=class extends f{static getConfigElement(){return document.createElement("heatpump-stats-card-editor")}static async getStubConfig(e){let t;try{t=await Ge(e)}catch{t=void 0}return{type:`custom:${E}`,config_entry_id:t,period:"season"}}setConfig(e){if(!e||typeof e!="object")throw new Error("Invalid configuration");if(e.period!==void 0&&!["season","year","month","week","day"].includes(e.period))throw new Error(`Unknown period: ${e.period}`);this._config={period:"season",...e},this._loadedKey=void 0}getCardSize(){return 12}getGridOptions(){return{columns:12,min_columns:6}}get hass(){return this._hass}set hass(e){let t=this._hass===void 0,r=_(e)!==_(this._hass);this._hass=e,(t||r)&&this.requestUpdate()}connectedCallback(){super.connectedCallback(),this._timer=window.setInterval(()=>{this._load(!0)},$t)}disconnectedCallback(){super.disconnectedCallback(),this._timer!==void 0&&window.clearInterval(this._timer),this._timer=void 0}updated(e){if(super.updated(e),this.hass&&this._config){let t=`${this._config.config_entry_id??""}|${this._config.period}`;t!==this._loadedKey&&(this._loadedKey=t,this._load(!1))}}async _load(e){let t=this.hass,r=this._config;if(!(!t||!r)){e||(this._summary=void 0,this._error=void 0);try{let n=r.config_entry_id??await Ge(t);if(n===void 0){this._error=y(_(t))("pick_entry");return}this._summary=await t.callWS({type:`${C}/summary`,config_entry_id:n,period:r.period??"season"}),this._error=void 0}catch(n){let i=n?.message??String(n);this._error=`${y(_(t))("error")}: ${i}`}}}render(){let e=_(this.hass),t=y(e),r=this._summary,n=this._config?.title??r?.title??t("name"),i=t(`period_${this._config?.period??"season"}`);return u`<ha-card>
      <div class="header">
        <div class="title">${n}</div>
        <div class="subtitle">${i}</div>
      </div>
      <div class="content">
        ${this._error?u`<div class="error" data-figure="error">${this._error}</div>`:r===void 0?u`<div class="muted">${t("loading")}</div>`:this._figures(r,e,t)}
      </div>
    </ha-card>`}_figures(e,t,r){let n=e.energy,i=n.total.electrical_energy===null||(n.total.electrical_energy??0)<=0;return u`
      <div class="headline">
        <div class="big">
          <span class="value" data-figure="seasonal_cop">${w(t,e.season.cop)}</span>
          <span class="label">${r("scop")}</span>
        </div>
        ${e.period==="season"?p:u`<div class="big">
              <span class="value" data-figure="cop">${w(t,e.cop)}</span>
              <span class="label">${r("cop")} · ${r(`period_${e.period}`)}</span>
            </div>`}
        <div class="small">
          <div><span data-figure="carnot_pct">${V(t,e.carnot_pct)}</span> ${r("carnot")}</div>
          <div>
            <span data-figure="coverage_pct">${V(t,e.coverage_pct)}</span> ${r("coverage")}
          </div>
          <div class="muted">${e.history==="statistics"?r("from_statistics"):r("from_recorder")}</div>
        </div>
      </div>
      ${i?u`<div class="muted">${r("no_data")}</div>`:p}
      ${this._energyTable(e,t,r)}
      <div class="facts">
        <div>
          <span class="value" data-figure="cycles_per_day">${Ke(t,e.cycles_per_day)}</span>
          <span class="label">${r("cycles_per_day")}</span>
        </div>
        <div>
          <span class="value" data-figure="run_length">${e.run_length_at_least&&e.run_length_minutes!==null?"≥ ":""}${Ve(t,e.run_length_minutes)}</span>
          <span class="label"
            >${r("run_length")}${e.run_length_from!==null?u` (${r("run_length_recent")})`:p}</span
          >
        </div>
        ${e.energy.defrost.count===null?p:u`<div>
              <span class="value" data-figure="defrosts">${e.energy.defrost.count}</span>
              <span class="label">${r("defrosts")}</span>
            </div>`}
      </div>
      ${this._months(e,t,r)} ${this._bins(e,t,r)} ${this._changes(e,t,r)}
    `}_energyTable(e,t,r){let n=e.energy,i=n.total.thermal_energy??0,o=a=>i>0&&a!==null?Math.max(0,100*a/i):0,c=(a,l,d)=>u`<tr data-purpose="${a}">
        <th>${l}</th>
        <td data-figure="${a}_thermal_energy">${v(t,d.thermal_energy)}</td>
        <td data-figure="${a}_electrical_energy">${v(t,d.electrical_energy)}</td>
        <td data-figure="${a}_cop">${w(t,d.cop)}</td>
      </tr>`;return u`
      <div class="split" aria-hidden="true">
        <div class="heating" style="width:${o(n.heating.thermal_energy)}%"></div>
        <div class="dhw" style="width:${o(n.dhw.thermal_energy)}%"></div>
      </div>
      <table class="energy">
        <thead>
          <tr>
            <th>${r("purpose")}</th>
            <th>${r("heat")}</th>
            <th>${r("electricity")}</th>
            <th>${r("cop")}</th>
          </tr>
        </thead>
        <tbody>
          ${c("heating",r("heating"),n.heating)} ${c("dhw",r("dhw"),n.dhw)}
          <tr data-purpose="defrost" class="sub">
            <th>${r("defrost")}</th>
            <td data-figure="defrost_thermal_energy">${v(t,n.defrost.thermal_energy)}</td>
            <td data-figure="defrost_electrical_energy">
              ${v(t,n.defrost.electrical_energy)}${n.defrost.pct_of_electricity!==null?u` <span class="muted">(${V(t,n.defrost.pct_of_electricity)})</span>`:p}
            </td>
            <td></td>
          </tr>
          ${c("total",r("total"),n.total)}
        </tbody>
      </table>
    `}_changeText(e,t){if(e.source==="note")return e.message??"";let r=["setpoint_changed","schedule_changed","mode_changed","note_added"].includes(e.kind)?t(`kind_${e.kind}`):e.kind,n=(e.key??"").replace(/_/g," ").trim();return`${n?n.charAt(0).toUpperCase()+n.slice(1):r}: ${e.old??"?"} → ${e.new??"?"}`}_months(e,t,r){let n=e.season.months;if(n.length===0)return p;let i=new Map;for(let c of e.changes){let a=new Date(c.timestamp),l=`${a.getFullYear()}-${String(a.getMonth()+1).padStart(2,"0")}`;i.set(l,[...i.get(l)??[],`${Fe(t,c.timestamp)}: ${this._changeText(c,r)}`])}let o=n.map(c=>({label:_e(t,c.month),values:[{value:c.cop,cls:"bar-cop",text:w(t,c.cop)}],title:`${_e(t,c.month)}: ${r("cop")} ${w(t,c.cop)} · ${r("heat")} ${v(t,c.thermal_energy)} · ${r("electricity")} ${v(t,c.electrical_energy)}`,markers:i.get(c.month)}));return u`<div class="chart" data-chart="months">
      <div class="chart-title">${r("months")}</div>
      ${J(o)}
    </div>`}_bins(e,t,r){let n=e.bins.filter(l=>l.electrical_energy>0||l.thermal_energy>0);if(n.length===0)return p;let i=l=>ge(t,l.from,0),o=l=>`${fe(t,l.from)} … ${fe(t,l.to)}`,c=n.map(l=>({label:i(l),values:[{value:l.cop,cls:"bar-cop",text:w(t,l.cop)}],title:`${o(l)}: ${r("cop")} ${w(t,l.cop)}`})),a=n.map(l=>({label:i(l),values:[{value:l.thermal_energy,cls:"bar-heat"},{value:l.electrical_energy,cls:"bar-electricity"}],title:`${o(l)}: ${r("heat")} ${v(t,l.thermal_energy)} · ${r("electricity")} ${v(t,l.electrical_energy)}`}));return u`<div class="chart" data-chart="bins_cop">
        <div class="chart-title">${r("bins_cop")} (°C)</div>
        ${J(c)}
      </div>
      <div class="chart" data-chart="bins_energy">
        <div class="chart-title">
          ${r("bins_energy")} (°C)
          <span class="legend"><i class="bar-heat"></i>${r("heat")} <i class="bar-electricity"></i>${r("electricity")}</span>
        </div>
        ${J(a)}
      </div>`}_changes(e,t,r){let n=[...e.changes].reverse().slice(0,5);return u`<div class="changes">
      <div class="chart-title">${r("changes")}</div>
      ${n.length===0?u`<div class="muted">${r("no_changes")}</div>`:u`<ul>
            ${n.map(i=>{let o=i.impact,c=o!==null&&o.weather_normalized_cop_change_pct!==null;return u`<li data-change="${i.id}">
                <span class="when">${je(t,i.timestamp)}</span>
                <span class="what">${this._changeText(i,r)}</span>
                <span class="impact">
                  ${c?u`${r("impact")}: <b>${We(t,o.weather_normalized_cop_change_pct)}</b> ·
                        ${r(`confidence_${o.confidence}`)}`:u`<span class="muted">${r("impact_pending")}</span>`}
                </span>
              </li>`})}
          </ul>`}
    </div>`}};D.properties={_config:{state:!0},_summary:{state:!0},_error:{state:!0}},D.styles=re`
    :host {
      --hps-heat: var(--hps-heat-color, var(--orange-color, #ff9800));
      --hps-electricity: var(--hps-electricity-color, var(--blue-color, #2196f3));
      --hps-dhw: var(--hps-dhw-color, var(--red-color, #f44336));
      --hps-cop: var(--hps-cop-color, var(--primary-color, #03a9f4));
    }
    ha-card {
      height: 100%;
      box-sizing: border-box;
    }
    .header {
      display: flex;
      align-items: baseline;
      justify-content: space-between;
      gap: 8px;
      padding: 16px 16px 0;
    }
    .title {
      font-size: var(--ha-card-header-font-size, 1.3em);
      color: var(--ha-card-header-color, var(--primary-text-color));
    }
    .subtitle,
    .muted,
    .label,
    .chart-title {
      color: var(--secondary-text-color);
    }
    .content {
      padding: 8px 16px 16px;
      color: var(--primary-text-color);
    }
    .error {
      color: var(--error-color, #db4437);
    }
    .headline {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-end;
      gap: 8px 24px;
      margin-bottom: 12px;
    }
    .big {
      display: flex;
      flex-direction: column;
    }
    .big .value {
      font-size: 2.4em;
      line-height: 1.1;
      font-weight: 500;
    }
    .small {
      margin-left: auto;
      text-align: right;
      font-size: 0.9em;
    }
    .split {
      display: flex;
      height: 6px;
      border-radius: 3px;
      overflow: hidden;
      background: var(--divider-color);
      margin: 4px 0 8px;
    }
    .split .heating {
      background: var(--hps-heat);
    }
    .split .dhw {
      background: var(--hps-dhw);
    }
    table.energy {
      width: 100%;
      border-collapse: collapse;
      font-variant-numeric: tabular-nums;
    }
    table.energy th,
    table.energy td {
      padding: 3px 4px;
      text-align: right;
      font-weight: normal;
      border-bottom: 1px solid var(--divider-color);
    }
    table.energy th:first-child {
      text-align: left;
    }
    table.energy thead th {
      color: var(--secondary-text-color);
      font-size: 0.85em;
    }
    table.energy tr.sub th {
      padding-left: 16px;
      color: var(--secondary-text-color);
    }
    table.energy tr[data-purpose="total"] th,
    table.energy tr[data-purpose="total"] td {
      font-weight: 500;
      border-bottom: none;
    }
    .facts {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 24px;
      margin: 12px 0;
    }
    .facts > div {
      display: flex;
      flex-direction: column;
    }
    .facts .value {
      font-size: 1.4em;
    }
    .facts .label {
      font-size: 0.85em;
    }
    .chart {
      margin-top: 12px;
    }
    .chart svg {
      width: 100%;
      height: auto;
      display: block;
    }
    svg .axis {
      stroke: var(--divider-color);
    }
    svg text {
      font-size: 10px;
      fill: var(--secondary-text-color);
    }
    svg text.value {
      fill: var(--primary-text-color);
    }
    svg .bar-cop {
      fill: var(--hps-cop);
    }
    svg .bar-heat {
      fill: var(--hps-heat);
    }
    svg .bar-electricity {
      fill: var(--hps-electricity);
    }
    svg .marker {
      fill: var(--warning-color, #ffa600);
    }
    .legend {
      float: right;
      font-size: 0.85em;
    }
    .legend i {
      display: inline-block;
      width: 10px;
      height: 10px;
      border-radius: 2px;
      margin: 0 4px 0 8px;
    }
    .legend i.bar-heat {
      background: var(--hps-heat);
    }
    .legend i.bar-electricity {
      background: var(--hps-electricity);
    }
    .changes {
      margin-top: 12px;
    }
    .changes ul {
      list-style: none;
      margin: 4px 0 0;
      padding: 0;
    }
    .changes li {
      display: flex;
      flex-wrap: wrap;
      gap: 0 8px;
      padding: 4px 0;
      border-bottom: 1px solid var(--divider-color);
    }
    .changes li:last-child {
      border-bottom: none;
    }
    .changes .when {
      color: var(--secondary-text-color);
      font-variant-numeric: tabular-nums;
    }
    .changes .impact {
      flex-basis: 100%;
      font-size: 0.9em;
    }
  `;var j=class extends f{setConfig(e){this._config=e}updated(){this.hass&&this._entries===void 0&&(this._entries=[],this.hass.callWS({type:"config_entries/get",domain:C}).then(e=>this._entries=e).catch(()=>{}))}_schema(e){return[{name:"config_entry_id",required:!0,selector:{config_entry:{integration:C}}},{name:"period",selector:{select:{mode:"dropdown",options:$e.map(t=>({value:t,label:e(`period_${t}`)}))}}},{name:"title",selector:{text:{}}}]}_changed(e){this._config=e,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:e},bubbles:!0,composed:!0}))}render(){if(!this.hass||!this._config)return u``;let e=y(_(this.hass)),t={config_entry_id:"editor_entry",period:"editor_period",title:"editor_title"},r={period:"season",...this._config};return customElements.get("ha-form")?u`<ha-form
        .hass=${this.hass}
        .data=${r}
        .schema=${this._schema(e)}
        .computeLabel=${n=>e(t[n.name])}
        @value-changed=${n=>{let i={...n.detail.value};i.title||delete i.title,this._changed(i)}}
      ></ha-form>`:u`<label>
        ${e("editor_entry")}
        <select
          @change=${n=>this._changed({...this._config,config_entry_id:n.target.value})}
        >
          ${(this._entries??[]).map(n=>u`<option value=${n.entry_id} ?selected=${n.entry_id===r.config_entry_id}>${n.title}</option>`)}
        </select>
      </label>
      <label>
        ${e("editor_period")}
        <select
          @change=${n=>this._changed({...this._config,period:n.target.value})}
        >
          ${$e.map(n=>u`<option value=${n} ?selected=${n===r.period}>${e(`period_${n}`)}</option>`)}
        </select>
      </label>`}};j.properties={hass:{attribute:!1},_config:{state:!0},_entries:{state:!0}};var qe="heatpump-stats",X=class extends HTMLElement{static async generate(e,t){let r=y(_(t)),n=a=>({title:r("name"),views:[{type:"sections",path:"overview",sections:[{type:"grid",cards:[{type:"markdown",content:a}]}]}]}),i;try{i=await t.callWS({type:`${C}/dashboard`,...e.config_entry_id?{config_entry_id:e.config_entry_id}:{}})}catch(a){return n(`${r("error")}: ${a?.message??String(a)}`)}if(i.entries.length===0)return n(r("pick_entry"));let o=i.entries.length>1,c=i.entries.map(({config_entry_id:a,title:l,view:d})=>({...d,title:o?l:d.title,path:o?a.toLowerCase():d.path??"overview",sections:[{type:"grid",column_span:2,cards:[{type:`custom:${E}`,config_entry_id:a,period:e.period??"season",grid_options:{columns:"full"}}]},...d.sections??[]]}));return{title:o?r("name"):i.entries[0].title,views:c}}};function ve(s,e){customElements.get(s)||customElements.define(s,e)}function vt(){ve(E,D),ve(`${E}-editor`,j),ve(`ll-strategy-dashboard-${qe}`,X)}function bt(){return document.querySelector("home-assistant")!==null&&!customElements.get("home-assistant")}function Ye(){bt()?window.setTimeout(Ye,50):vt()}Ye();var Q=window;Q.customCards=Q.customCards??[];if(!Q.customCards.some(s=>s.type===E)){let s=y(navigator.language??"en");Q.customCards.push({type:E,name:s("name"),description:s("description"),preview:!0,documentationURL:"https://github.com/heatpump-stats/heatpump_stats#the-card"})}
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
